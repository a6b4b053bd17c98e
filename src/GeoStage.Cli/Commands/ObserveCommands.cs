using System.CommandLine;
using System.Text.Json;
using GeoStage.Control.Api;
using GeoStage.Control.Store;
using GeoStage.Core.State;
using Spectre.Console;

namespace GeoStage.Cli.Commands;

/// <summary>ps, logs, events: what runs and what happened, from the daemon.</summary>
internal static class ObserveCommands
{
    public static Command Ps()
    {
        var workload = new Argument<string?>("WORKLOAD") { Description = "Only this workload.", Arity = ArgumentArity.ZeroOrOne };
        var (name, output) = (CommonOptions.Name(), CommonOptions.Output());
        var command = new Command("ps", "Every instance: node, site, state, version, pid, restarts, uptime, health.") { workload, name, output };
        CliRun.Register(command, async (run, ct) =>
        {
            using var client = run.Client(run.Parse.GetValue(name));
            var filter = run.Parse.GetValue(workload);
            var instances = await client.GetAsync<List<InstanceView>>(filter is null ? "v1/instances" : $"v1/instances?workload={Uri.EscapeDataString(filter)}", ct).ConfigureAwait(false);
            var workloads = (await client.GetAsync<List<WorkloadView>>("v1/workloads", ct).ConfigureAwait(false)).Where(w => filter is null || w.Name == filter).ToList();
            if (filter is not null && workloads.Count == 0)
            {
                return CliRun.Fail(ExitCodes.NotFound, $"no workload named '{filter}'");
            }

            if (run.Parse.GetValue(output) == "json")
            {
                CliRun.WriteJson(new { workloads, instances });
                return ExitCodes.Ok;
            }

            foreach (var w in workloads)
            {
                AnsiConsole.MarkupLineInterpolated($"[bold]{w.Name}[/] version {w.Version} (generation {w.Generation}): {w.Status}, {w.Healthy}/{w.Instances} healthy{(w.Message is null ? "" : " - " + w.Message)}");
            }

            var table = new Table().Border(TableBorder.Rounded);
            table.AddColumns("workload", "node", "site", "state", "version", "pid", "restarts", "uptime", "health");
            foreach (var i in instances)
            {
                table.AddRow(Markup.Escape(i.Workload), Markup.Escape(i.Node), Markup.Escape(i.Site), Colour(i.State), Markup.Escape(i.Version), $"{i.Pid}", $"{i.Restarts}", i.UptimeSeconds is { } up ? $"{up:0.0}s" : "-", Markup.Escape(i.Health ?? i.LastExit ?? "-"));
            }

            AnsiConsole.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Logs()
    {
        var workload = new Argument<string>("WORKLOAD") { Description = "The workload whose output to show." };
        var node = new Option<string?>("--node") { Description = "Only the instance on this node." };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing as output arrives (Ctrl+C to stop)." };
        var tail = new Option<int>("--tail") { Description = "Lines of each instance's past output.", DefaultValueFactory = _ => 100 }.Between(0, 1_000_000);
        var name = CommonOptions.Name();
        var command = new Command("logs", "Print instances' stdout and stderr, each line prefixed with its node.") { workload, node, follow, tail, name };
        CliRun.Register(command, async (run, ct) =>
        {
            using var client = run.Client(run.Parse.GetValue(name));
            var query = $"v1/logs?workload={Uri.EscapeDataString(run.Parse.GetValue(workload)!)}&tail={run.Parse.GetValue(tail)}&follow={(run.Parse.GetValue(follow) ? "true" : "false")}";
            if (run.Parse.GetValue(node) is { } n)
            {
                query += $"&node={Uri.EscapeDataString(n)}";
            }

            try
            {
                await foreach (var line in client.LinesAsync(query, ct).ConfigureAwait(false))
                {
                    Console.Out.WriteLine(line);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return ExitCodes.Ok;
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Events()
    {
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing events as they happen (Ctrl+C to stop)." };
        var (name, output) = (CommonOptions.Name(), CommonOptions.Output());
        var command = new Command("events", "What the daemon did and saw: deploys, rollouts, health changes, crashes, restarts, joins.") { follow, name, output };
        CliRun.Register(command, async (run, ct) =>
        {
            using var client = run.Client(run.Parse.GetValue(name));
            var json = run.Parse.GetValue(output) == "json";
            try
            {
                await foreach (var line in client.LinesAsync($"v1/events?follow={(run.Parse.GetValue(follow) ? "true" : "false")}", ct).ConfigureAwait(false))
                {
                    if (json)
                    {
                        Console.Out.WriteLine(line);
                        continue;
                    }

                    var e = JsonSerializer.Deserialize<EventRecord>(line, StateJson.Options)!;
                    var subject = string.Join('/', new[] { e.Workload, e.Node }.Where(s => s is not null));
                    Console.Out.WriteLine($"{e.At.ToLocalTime():HH:mm:ss.fff} {e.Kind,-20} {subject,-20} {e.Message}");
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return ExitCodes.Ok;
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Node()
    {
        var command = new Command("node", "Add or remove a node of a running environment.");
        var site = new Argument<string>("SITE") { Description = "The site the node joins." };
        var nodeName = new Argument<string>("NAME") { Description = "The node's name (a DNS-1123 label)." };
        var address = new Option<string?>("--address") { Description = "Its address; the lowest free one of the site when absent." };
        var labels = new Option<string[]>("--label") { Description = "KEY=VALUE (repeatable); placements by label then select it." };
        var (name, output) = (CommonOptions.Name(), CommonOptions.Output());
        var add = new Command("add", "Add a node; prints the time until every node reaches it and its workloads are healthy.") { site, nodeName, address, labels, name, output };
        CliRun.Register(add, async (run, ct) =>
        {
            var request = new NodeRequest(run.Parse.GetValue(site)!, run.Parse.GetValue(nodeName)!, run.Parse.GetValue(address), KeyValues.Labels("--label", run.Parse.GetValue(labels) ?? []));
            using var client = run.Client(run.Parse.GetValue(name));
            var added = await client.PostAsync<NodeAdded>("v1/nodes", request, ct).ConfigureAwait(false);
            if (run.Parse.GetValue(output) == "json")
            {
                CliRun.WriteJson(added);
            }
            else
            {
                Console.Out.WriteLine($"{added.Node} joined site {added.Site} as {added.Address}: reachable from every node in {added.ReachableSeconds:0.000} s, {added.Instances} workload instance(s) healthy in {added.TotalSeconds:0.000} s");
            }

            return ExitCodes.Ok;
        });
        var victim = new Argument<string>("NAME") { Description = "The node to remove." };
        var removeName = CommonOptions.Name();
        var remove = new Command("remove", "Stop a node's instances and remove it.") { victim, removeName };
        remove.Aliases.Add("rm");
        CliRun.Register(remove, async (run, ct) =>
        {
            using var client = run.Client(run.Parse.GetValue(removeName));
            var target = run.Parse.GetValue(victim)!;
            await client.DeleteAsync<JsonElement>($"v1/nodes/{Uri.EscapeDataString(target)}", ct).ConfigureAwait(false);
            Console.Out.WriteLine($"{target}: removed");
            return ExitCodes.Ok;
        });
        command.Subcommands.Add(add);
        command.Subcommands.Add(remove);
        return command;
    }

    public static Command Site()
    {
        var command = new Command("site", "Add or remove a site of a running environment.");
        var siteName = new Argument<string>("NAME") { Description = "The site's name (a DNS-1123 label)." };
        var cidr = new Option<string>("--cidr") { Description = "The site's LAN, e.g. 192.168.40.0/24.", Required = true };
        var router = new Option<string?>("--router") { Description = "The router's WAN address; the lowest free one when absent." };
        var location = new Option<string?>("--location") { Description = "Free text, e.g. a city or a data centre." };
        var (name, output) = (CommonOptions.Name(), CommonOptions.Output());
        var add = new Command("add", "Add a site: a router joined by a tunnel to every other site.") { siteName, cidr, router, location, name, output };
        CliRun.Register(add, async (run, ct) =>
        {
            using var client = run.Client(run.Parse.GetValue(name));
            var added = await client.PostAsync<SiteAdded>("v1/sites", new SiteRequest(run.Parse.GetValue(siteName)!, run.Parse.GetValue(cidr)!, run.Parse.GetValue(router), run.Parse.GetValue(location)), ct).ConfigureAwait(false);
            if (run.Parse.GetValue(output) == "json")
            {
                CliRun.WriteJson(added);
            }
            else
            {
                Console.Out.WriteLine($"site {added.Site} ({added.Cidr}) joined: router {added.Router}, {added.Tunnels} tunnels up in {added.Seconds:0.000} s; add nodes with 'geostage node add {added.Site} NAME'");
            }

            return ExitCodes.Ok;
        });
        var victim = new Argument<string>("NAME") { Description = "The site to remove, with its nodes." };
        var removeName = CommonOptions.Name();
        var remove = new Command("remove", "Remove a site: its nodes (instances stopped), tunnels, router and LAN.") { victim, removeName };
        remove.Aliases.Add("rm");
        CliRun.Register(remove, async (run, ct) =>
        {
            using var client = run.Client(run.Parse.GetValue(removeName));
            var target = run.Parse.GetValue(victim)!;
            await client.DeleteAsync<JsonElement>($"v1/sites/{Uri.EscapeDataString(target)}", ct).ConfigureAwait(false);
            Console.Out.WriteLine($"site {target}: removed");
            return ExitCodes.Ok;
        });
        command.Subcommands.Add(add);
        command.Subcommands.Add(remove);
        return command;
    }

    private static string Colour(string state) => state switch
    {
        "healthy" => "[green]healthy[/]",
        "starting" => "[yellow]starting[/]",
        _ => $"[red]{Markup.Escape(state)}[/]",
    };
}
