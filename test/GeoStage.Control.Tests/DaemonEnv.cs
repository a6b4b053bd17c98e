using GeoStage.Control.Store;
using GeoStage.Local.Instances;
using System.Collections.Concurrent;
using System.Diagnostics;
using GeoStage.Control.Api;
using GeoStage.Control.Client;
using GeoStage.Control.Instances;
using GeoStage.Core.Backends;
using GeoStage.Core.Model;
using GeoStage.Core.State;
using GeoStage.Core.Validation;
using GeoStage.Local;
using GeoStage.Local.Namespaces;
using GeoStage.Local.Processes;
using GeoStage.Testing;

namespace GeoStage.Control.Tests;

/// <summary>
/// An environment with its control daemon running as a separate process (so that a test can SIGKILL it),
/// in a private state directory. Dispose always ends the daemon and takes the environment down.
/// </summary>
internal sealed class DaemonEnv : IAsyncDisposable
{
    private readonly TempState _temp = new();
    private Process? _daemon;

    private DaemonEnv(string yaml)
    {
        Store = new StateStore(_temp.Root);
        Backend = new LocalBackend(Store, TimeProvider.System);
        Model = SpecValidator.Load(yaml, "test.yaml", new HostRoutes().Read());
    }

    public StateStore Store { get; }
    public LocalBackend Backend { get; }
    public EnvironmentModel Model { get; }
    public string Name => Model.Name;
    public int DaemonPid => _daemon?.Id ?? 0;

    /// <summary>The sample P2P node, built next to the tests.</summary>
    public static string P2pNode => Path.Combine(AppContext.BaseDirectory, "P2pNode.dll");

    /// <summary>What the daemon wrote to stdout and stderr (its log), line by line.</summary>
    public ConcurrentQueue<string> DaemonOutput { get; } = new();

    public static async Task<DaemonEnv> StartAsync(string yaml, IReadOnlyList<string>? serveArgs = null)
    {
        var env = new DaemonEnv(yaml);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            await env.Backend.UpAsync(env.Model, new UpOptions { MeasureBefore = false }, new Progress<UpProgress>(), timeout.Token);
            await env.StartDaemonAsync(serveArgs: serveArgs);
            return env;
        }
        catch
        {
            await env.DisposeAsync();
            throw;
        }
    }

    public ControlClient Client() => new(Store, Name, TimeSpan.FromSeconds(60));

    /// <summary>Starts the daemon as the CLI's launcher does; <paramref name="environment"/> adds variables (test pause points).</summary>
    public async Task StartDaemonAsync(IReadOnlyDictionary<string, string>? environment = null, IReadOnlyList<string>? serveArgs = null)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "geostage.dll"), "serve", "--name", Name, .. serveArgs ?? []])
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["GEOSTAGE_STATE_DIR"] = Store.Root;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        _daemon = Process.Start(info)!;
        _daemon.OutputDataReceived += (_, e) => Keep(e.Data);
        _daemon.ErrorDataReceived += (_, e) => Keep(e.Data);
        _daemon.BeginErrorReadLine();
        _daemon.BeginOutputReadLine();
        using var client = new ControlClient(Store, Name, TimeSpan.FromSeconds(2));
        await Wait.UntilAsync(() => HealthyAsync(client), TimeSpan.FromSeconds(30), "the daemon's API");
    }

    public void KillDaemon()
    {
        _daemon!.Kill();
        _daemon.WaitForExit(10_000);
        _daemon.Dispose();
        _daemon = null;
    }

    /// <summary>Applies workloads given as YAML; throws on validation errors.</summary>
    public async Task<ApplyResponse> ApplyAsync(string yaml)
    {
        using var client = Client();
        return await client.PostAsync<ApplyResponse>("v1/workloads/apply", new ApplyRequest(Path.Combine(AppContext.BaseDirectory, "workloads.yaml"), yaml), CancellationToken.None);
    }

    public async Task<WorkloadView> WorkloadAsync(string name)
    {
        using var client = Client();
        return (await client.GetAsync<List<WorkloadView>>("v1/workloads", CancellationToken.None)).Single(w => w.Name == name);
    }

    public async Task<List<InstanceView>> InstancesAsync(string workload)
    {
        using var client = Client();
        return await client.GetAsync<List<InstanceView>>($"v1/instances?workload={workload}", CancellationToken.None);
    }

    /// <summary>The daemon's events so far, read without blocking a thread (waits poll this from the thread pool).</summary>
    public async Task<List<EventRecord>> EventsAsync()
    {
        using var client = Client();
        var events = new List<EventRecord>();
        await foreach (var line in client.LinesAsync("v1/events", CancellationToken.None))
        {
            events.Add(System.Text.Json.JsonSerializer.Deserialize<EventRecord>(line, Wire.Options)!);
        }

        return events;
    }

    /// <summary>Waits for the first event of <paramref name="kind"/> whose message starts with <paramref name="about"/>.</summary>
    public async Task<EventRecord> WaitEventAsync(string kind, string about, TimeSpan timeout)
    {
        EventRecord? found = null;
        await Wait.UntilAsync(async () => (found = (await EventsAsync()).FirstOrDefault(e => e.Kind == kind && e.Message.StartsWith(about, StringComparison.Ordinal))) is not null, timeout, $"a {kind} event about {about}");
        return found!;
    }

    /// <summary>Measures until every pair answers (a repaired or restarted tunnel handshakes again first), or returns the last count after <paramref name="timeout"/>.</summary>
    public async Task<Core.Model.Reachability> WaitFullReachAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var reach = await Backend.MeasureAsync(Store.Load(Name)!, new Core.Backends.MeasureOptions { Count = 1 }, CancellationToken.None);
            if (reach.All || clock.Elapsed > timeout)
            {
                return reach;
            }
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds for the workload's view, polling the API.</summary>
    public async Task<WorkloadView> WaitAsync(string workload, Func<WorkloadView, bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var view = await WorkloadAsync(workload);
            if (condition(view))
            {
                return view;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"waited {timeout.TotalSeconds:0} s for {what}; last: {view.Status} {view.Healthy}/{view.Instances} {string.Join(",", view.Versions.Select(v => v.Key + ":" + v.Value))} {view.Message}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Live processes marked as instances of <paramref name="workload"/>, across every node.</summary>
    public IReadOnlyList<(string Node, int Pid)> InstanceProcesses(string workload) =>
        [.. Model.Nodes.SelectMany(n => InstanceRunner.Scan(LocalNames.Node(Name, n.Name))
            .Where(p => p.Marker?.StartsWith(workload + "/", StringComparison.Ordinal) == true)
            .Select(p => (n.Name, p.Pid)))];

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_daemon is not null)
            {
                KillDaemon();
            }

            if (Store.Load(Name) is { } state)
            {
                await Backend.DownAsync(state, CancellationToken.None);
            }

            foreach (var ns in Ip.ListNamespaces().Where(n => n == LocalNames.Fabric(Name) || n.StartsWith(LocalNames.Fabric(Name) + "_", StringComparison.Ordinal)))
            {
                RootSnapshot.Run("ip", "netns", "del", ns);
            }
        }
        finally
        {
            _temp.Dispose();
        }
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            DaemonOutput.Enqueue(line);
        }
    }

    private static async Task<bool> HealthyAsync(ControlClient client)
    {
        try
        {
            await client.GetAsync<HealthResponse>("v1/health", CancellationToken.None);
            return true;
        }
        catch (Exception e) when (e is DaemonNotRunningException or OperationCanceledException or HttpRequestException)
        {
            return false;
        }
    }
}

/// <summary>Workload files for the tests.</summary>
internal static class Workloads
{
    /// <summary>The sample P2P node on every node; health by HTTP; a broken version listens on the wrong port.</summary>
    public static string Chain(string version = "1", int port = 7000, string healthTimeout = "20s", int maxUnavailable = 1) => $$$"""
        workloads:
          - name: chain
            version: "{{{version}}}"
            command: dotnet
            args: ["{{{DaemonEnv.P2pNode}}}", "--name", "{{node.name}}", "--listen", "{{node.address}}:{{{port}}}", "--peers", '{{peers "{address}:7000" ","}}', "--version", "{{workload.version}}", "--interval-ms", "500"]
            health: { http: "http://{{node.address}}:7000/status", interval: 200ms }
            rollout: { maxUnavailable: {{{maxUnavailable}}}, healthTimeout: {{{healthTimeout}}} }
            ports: [7000]
        """;

    /// <summary>A light command with no health check.</summary>
    public static string Sleeper(string placement = "{}") => $"""
        workloads:
          - name: sleeper
            command: /bin/sleep
            args: ["600"]
            placement: {placement}
        """;
}
