using GeoStage.Local.Balancing;
using GeoStage.Local.Instances;
using System.CommandLine;
using System.Text.Json;
using GeoStage.Balancer.Replica;
using GeoStage.Cli.Rendering;
using GeoStage.Control.Api;
using GeoStage.Control.Balancers;
using GeoStage.Control.Client;
using GeoStage.Control.Instances;
using GeoStage.Core.Model;
using GeoStage.Core.State;
using GeoStage.Local.Namespaces;
using Spectre.Console;

namespace GeoStage.Cli.Commands;

/// <summary>lb status for people; balancer run, which the daemon starts on each replica node.</summary>
internal static class BalancerCommands
{
    public static Command Lb()
    {
        var command = new Command("lb", "Load balancers: who leads, since when, how long the last takeover took, backends.");
        var balancer = new Argument<string?>("BALANCER") { Description = "Only this balancer.", Arity = ArgumentArity.ZeroOrOne };
        var (name, output) = (CommonOptions.Name(), CommonOptions.Output());
        var status = new Command("status", "Show each balancer: VIP, leader, term, since, why it leads, last takeover and failover, and every replica's backends.") { balancer, name, output };
        CliRun.Register(status, async (run, ct) =>
        {
            using var client = run.Client(run.Parse.GetValue(name));
            var filter = run.Parse.GetValue(balancer);
            var views = (await client.GetAsync<List<BalancerView>>("v1/balancers", ct).ConfigureAwait(false)).Where(b => filter is null || b.Name == filter).ToList();
            if (filter is not null && views.Count == 0)
            {
                return CliRun.Fail(ExitCodes.NotFound, $"no balancer named '{filter}'");
            }

            if (run.Parse.GetValue(output) == "json")
            {
                CliRun.WriteJson(views);
                return ExitCodes.Ok;
            }

            foreach (var view in views)
            {
                AnsiConsole.MarkupLineInterpolated($"[bold]{view.Name}[/] VIP {view.Vip} in site {view.Site}: leader {view.Leader ?? "none"} (term {view.Term}){(view.Since is { } since ? $" since {since:u}" : "")}{(view.LastTakeoverMs is { } ms ? $", serving {ms:0} ms after winning its lease" : "")}{(view.LastFailoverMs is { } failover ? $"; last failover {failover:0} ms (old leader lost to new one serving)" : "")}; {string.Join(", ", view.Listeners)}");
                if (view.Why is { } why)
                {
                    AnsiConsole.MarkupLineInterpolated($"  why: {why}");
                }

                var table = new Table().Border(TableBorder.Rounded);
                table.AddColumns("replica", "role", "backend", "healthy", "active", "total", "connect failures");
                foreach (var replica in view.Replicas)
                {
                    foreach (var backend in replica.Backends.DefaultIfEmpty())
                    {
                        table.AddRow(Markup.Escape(replica.Node), replica.Leader ? "[green]leader[/]" : "follower", Markup.Escape(backend?.Endpoint ?? "-"), $"{backend?.Healthy}", $"{backend?.ActiveConnections}", $"{backend?.TotalConnections}", $"{backend?.ConnectFailures}");
                    }
                }

                AnsiConsole.Write(table);
            }

            return ExitCodes.Ok;
        });
        command.Subcommands.Add(status);
        return command;
    }

    public static Command Run()
    {
        var (name, node) = (CommonOptions.Name(), new Option<string>("--node") { Description = "The node this replica runs on.", Required = true });
        var command = new Command("balancer", "Internal: a balancer replica, started by the daemon as an instance.") { Hidden = true };
        var run = new Command("run", "Run one replica: stand for election, hold the VIP and forward while leading.") { name, node };
        CliRun.Register(run, async (cli, ct) =>
        {
            var json = Environment.GetEnvironmentVariable(BalancerWorkloads.DefinitionVariable)
                ?? throw new InvalidOperationException($"{BalancerWorkloads.DefinitionVariable} is not set: balancer run is started by the daemon");
            var model = JsonSerializer.Deserialize<BalancerModel>(json, StateJson.Options)!;
            var environment = cli.ResolveEnvironment(cli.Parse.GetValue(name));
            var self = cli.Parse.GetValue(node)!;
            var gateway = environment.Model.Site(model.Site).Gateway;
            using var client = new ControlClient(cli.Store, environment.Name, TimeSpan.FromSeconds(2));
            var log = new LineLogger(Console.Out);
            var hooks = new HookRunner(model.Name, model.Vip, self, HookRunner.DefaultTimeout, log);
            var replica = new BalancerReplica(
                model,
                self,
                new HttpLeaseClient(client),
                new ArpVipHolder(
                    model,
                    LocalNames.NodeInterface,
                    (term, token) => FenceAsync(client, model.Name, self, term, token),
                    term => hooks.Enqueue(HookRole.Leader, model.OnLeader, term),
                    term => hooks.Enqueue(HookRole.Follower, model.OnFollower, term)),
                new DaemonBackendSource(client),
                new GatewayDataPath(LocalNames.Node(environment.Name, self), gateway),
                TimeProvider.System,
                log);
            var reporting = ReportAsync(client, model.Name, replica, ct);
            try
            {
                await replica.RunAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Stopped: the replica stepped down on its way out.
            }
            finally
            {
                // Hooks run in process groups of their own, which the daemon's SIGKILL of this replica's group
                // (StopGrace after its SIGTERM) would not reach: let them finish, but end them before that.
                using var deadline = new CancellationTokenSource(InstanceRunner.StopGrace - TimeSpan.FromSeconds(1));
                await hooks.StopAsync(deadline.Token).ConfigureAwait(false);
                await hooks.DisposeAsync().ConfigureAwait(false);
            }

            await reporting.ConfigureAwait(false);

            // The last word: that it stepped down and why, so lb status need not wait for the daemon to notice.
            try
            {
                using var last = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await client.PostAsync<JsonElement>($"v1/balancers/{Uri.EscapeDataString(model.Name)}/report", replica.Report(), last.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or DaemonNotRunningException or ControlRequestException or HttpRequestException)
            {
                // The daemon learns it from the process's exit instead.
            }

            return ExitCodes.Ok;
        }, needsRoot: true);
        command.Subcommands.Add(run);
        return command;
    }

    private static async Task ReportAsync(ControlClient client, string balancer, BalancerReplica replica, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await client.PostAsync<JsonElement>($"v1/balancers/{Uri.EscapeDataString(balancer)}/report", replica.Report(), cancellationToken).ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is DaemonNotRunningException or ControlRequestException or HttpRequestException)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Asks the daemon to take the VIP off every other replica before this one takes it; an <see cref="IOException"/> when it cannot be asked.</summary>
    private static async Task FenceAsync(ControlClient client, string balancer, string self, long term, CancellationToken cancellationToken)
    {
        try
        {
            await client.PostAsync<JsonElement>($"v1/balancers/{Uri.EscapeDataString(balancer)}/fence", new FenceRequest(self, term), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DaemonNotRunningException or ControlRequestException or HttpRequestException)
        {
            throw new IOException(e.Message, e);
        }
    }
}
