using System.Diagnostics;
using GeoStage.Core.Model;
using GeoStage.Core.Processes;
using GeoStage.Local.Namespaces;
using GeoStage.Local.Processes;

namespace GeoStage.Local.Instances;

/// <summary>
/// Starts and ends workload instances inside their node's namespace. Every instance process carries
/// GEOSTAGE_INSTANCE=WORKLOAD/NODE in its environment: after a daemon restart that marker, not a PID
/// file, says which processes are instances, so one that was started but never recorded is still found.
/// </summary>
public sealed class InstanceRunner
{
    public const string Marker = "GEOSTAGE_INSTANCE";

    /// <summary>How long an instance has between SIGTERM and SIGKILL when it is stopped.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);
    private readonly string _root;

    public InstanceRunner(string instancesRoot)
    {
        _root = instancesRoot;
    }

    public static string MarkerOf(string workload, string node) => $"{workload}/{node}";

    public (string WorkDir, string LogFile) Paths(string workload, string node)
    {
        var dir = Path.Combine(_root, workload, node);
        return (dir, Path.Combine(dir, "output.log"));
    }

    /// <summary>Starts one instance; returns the process (ours to wait on) and its PID and start time.</summary>
    public (Process Process, int Pid, ulong StartTicks) Start(EnvironmentModel model, WorkloadModel workload, NodeModel node, IReadOnlyList<NodeModel> instances)
    {
        var (workDir, log) = Paths(workload.Name, node.Name);
        Directory.CreateDirectory(workDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = ExternalProgram.DefaultPath,
            ["HOME"] = workDir,
            ["LANG"] = "C.UTF-8",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["GEOSTAGE_ENVIRONMENT"] = model.Name,
            ["GEOSTAGE_NODE"] = node.Name,
            ["GEOSTAGE_SITE"] = node.Site,
            ["GEOSTAGE_ADDRESS"] = node.Address.ToString(),
            ["GEOSTAGE_VERSION"] = workload.Version,
        };
        foreach (var (key, value) in workload.Env)
        {
            environment[key] = Templates.Render(value, model, workload, node, instances);
        }

        environment[Marker] = MarkerOf(workload.Name, node.Name);
        string[] command = [workload.Command, .. workload.Args.Select(a => Templates.Render(a, model, workload, node, instances))];
        File.AppendAllText(log, $"--- {DateTimeOffset.UtcNow:O} geostage: starting {workload.Name} version {workload.Version} on {node.Name}\n");
        var (process, record) = ProcessLauncher.Start("instance", LocalNames.Node(model.Name, node.Name), command, log, environment, workDir);
        return (process, record.Pid, record.StartTicks);
    }

    /// <summary>Ends an instance and the processes it started (its process group).</summary>
    public static Task StopAsync(int pid, ulong startTicks, CancellationToken cancellationToken) =>
        HostProcesses.StopAsync(pid, startTicks, StopGrace, group: true, cancellationToken);

    /// <summary>Live processes in <paramref name="ns"/> with their instance marker (null when unmarked).</summary>
    public static IReadOnlyList<(int Pid, ulong StartTicks, string? Marker)> Scan(string ns)
    {
        if (!Ip.Exists(ns))
        {
            return [];
        }

        var found = new List<(int, ulong, string?)>();
        foreach (var pid in ProcTable.InNamespace(NetNs.Identity(ns)))
        {
            if (ProcTable.StartTicks(pid) is { } ticks)
            {
                found.Add((pid, ticks, ReadMarker(pid)));
            }
        }

        return found;
    }

    private static string? ReadMarker(int pid)
    {
        try
        {
            var environ = File.ReadAllText($"/proc/{pid}/environ");
            var prefix = Marker + "=";
            return environ.Split('\0').FirstOrDefault(e => e.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
