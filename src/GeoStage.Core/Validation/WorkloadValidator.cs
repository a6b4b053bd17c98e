using System.Globalization;
using GeoStage.Core.Model;
using GeoStage.Core.Specs;

namespace GeoStage.Core.Validation;

/// <summary>
/// Turns workload specs into models against an environment as it is now, collecting every error with
/// its position: unknown nodes, sites or labels, commands that do not exist, templates naming unknown
/// facts, and ports that two workloads would both listen on on one node.
/// </summary>
public sealed partial class WorkloadValidator
{

    private readonly SourceMap _map;
    private readonly List<SpecError> _errors;
    private readonly EnvironmentModel _environment;

    // Whether programs are looked up on this host: false where the runtime runs them from elsewhere (an image).
    private bool _programsOnThisHost = true;

    private WorkloadValidator(WorkloadDocument document, EnvironmentModel environment)
    {
        _map = document.Map;
        _errors = [.. document.Errors];
        _environment = environment;
    }

    /// <summary>
    /// Validates <paramref name="document"/>; <paramref name="others"/> are workloads already running that
    /// this document does not replace (their ports count for clashes). With <paramref name="programsOnThisHost"/>
    /// false (the runtime runs programs that are not on this host), commands are taken as written, not looked up.
    /// </summary>
    public static IReadOnlyList<WorkloadModel> Validate(WorkloadDocument document, EnvironmentModel environment, IReadOnlyList<WorkloadModel> others, bool programsOnThisHost = true)
    {
        var validator = new WorkloadValidator(document, environment) { _programsOnThisHost = programsOnThisHost };
        var models = validator.Build(document.Workloads, others);
        if (validator._errors.Count > 0)
        {
            throw new SpecException([.. validator._errors.OrderBy(e => e.Line).ThenBy(e => e.Column)]);
        }

        return models;
    }

    public static IReadOnlyList<WorkloadModel> Load(string text, string file, EnvironmentModel environment, IReadOnlyList<WorkloadModel> others) =>
        Validate(SpecReader.ReadWorkloads(text, file), environment, others);

    private List<WorkloadModel> Build(IReadOnlyList<WorkloadSpec> specs, IReadOnlyList<WorkloadModel> others)
    {
        var models = new List<WorkloadModel>();
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < specs.Count; i++)
        {
            var path = $"workloads[{i}]";
            var spec = specs[i];
            if (spec.Name.Length > 0 && Names.Check(spec.Name) is { } problem)
            {
                Error(path + ".name", problem);
            }
            else if (spec.Name.Length > 0 && !names.TryAdd(spec.Name, i))
            {
                Error(path + ".name", $"workload '{spec.Name}' is already defined at workloads[{names[spec.Name]}]; names must be unique");
            }

            if (Build(spec, path) is { } model)
            {
                models.Add(model);
            }
        }

        CheckPorts(models, others.Where(o => !names.ContainsKey(o.Name)).ToList());
        return models;
    }

    private WorkloadModel? Build(WorkloadSpec spec, string path)
    {
        spec = WithFileDir(spec);
        var before = _errors.Count;
        if (spec.Version.Length == 0)
        {
            Error(path + ".version", "version must not be empty");
        }

        var command = spec.Command.Length == 0 ? null : ResolveCommand(spec.Command, path + ".command");
        for (var a = 0; a < spec.Args.Count; a++)
        {
            CheckTemplate(spec.Args[a], $"{path}.args[{a}]");
        }

        foreach (var (key, value) in spec.Env)
        {
            if (key.Length == 0 || key.Contains('=', StringComparison.Ordinal))
            {
                Error($"{path}.env.{key}", $"'{key}' is not an environment variable name");
            }

            CheckTemplate(value, $"{path}.env.{key}");
        }

        var placement = Placement(spec.Placement, path + ".placement");
        var health = spec.Health is null ? null : Health(spec.Health, path + ".health");
        var maxUnavailable = PositiveInt(spec.Rollout.MaxUnavailable, path + ".rollout.maxUnavailable", 1);
        var healthTimeout = ValueChecks.Duration(spec.Rollout.HealthTimeout, path + ".rollout.healthTimeout", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100), ValueChecks.Longest, Error);
        var ports = new List<int>();
        for (var p = 0; p < spec.Ports.Count; p++)
        {
            if (Port(spec.Ports[p], $"{path}.ports[{p}]") is { } port)
            {
                ports.Add(port);
            }
        }

        if (health is { Kind: HealthKind.Tcp or HealthKind.Http, Port: > 0 } && !ports.Contains(health.Port))
        {
            ports.Add(health.Port);
        }

        if (_errors.Count > before || command is null || spec.Name.Length == 0)
        {
            return null;
        }

        return new WorkloadModel
        {
            Name = spec.Name,
            Version = spec.Version,
            Command = command,
            Args = spec.Args,
            Env = spec.Env,
            Placement = placement,
            Health = health,
            MaxUnavailable = maxUnavailable,
            HealthTimeout = healthTimeout,
            Ports = ports,
        };
    }

    /// <summary>
    /// {{file.dir}} is the directory of the workload file, resolved now: the daemon that starts instances
    /// later has no notion of where the file was.
    /// </summary>
    private WorkloadSpec WithFileDir(WorkloadSpec spec)
    {
        const string Fact = "{{file.dir}}";
        var dir = Path.GetDirectoryName(Path.GetFullPath(_map.File)) ?? "/";
        string Resolve(string text) => text.Replace(Fact, dir, StringComparison.Ordinal);

        // A relative path (./bin/app) is relative to the file, not to wherever the daemon runs.
        var command = Resolve(spec.Command);
        if (command.Contains('/', StringComparison.Ordinal) && !Path.IsPathRooted(command))
        {
            command = Path.GetFullPath(Path.Combine(dir, command));
        }

        return spec with
        {
            Command = command,
            Args = [.. spec.Args.Select(Resolve)],
            Env = spec.Env.ToDictionary(p => p.Key, p => Resolve(p.Value)),
            Health = spec.Health is null ? null : spec.Health with { Http = spec.Health.Http is null ? null : Resolve(spec.Health.Http), Command = [.. spec.Health.Command.Select(Resolve)] },
        };
    }

    private string? ResolveCommand(string command, string path)
    {
        if (!_programsOnThisHost)
        {
            return command;
        }

        var resolved = FindCommand(command, out var problem);
        if (resolved is null)
        {
            Error(path, problem!);
        }

        return resolved;
    }

    private void CheckTemplate(string template, string path)
    {
        if (Templates.Check(template) is { } problem)
        {
            Error(path, problem);
        }
    }

    private PlacementModel Placement(PlacementSpec spec, string path)
    {
        foreach (var (site, i) in spec.Sites.Select((s, i) => (s, i)).Where(x => !_environment.Sites.Any(s => s.Name == x.s)))
        {
            Error($"{path}.sites[{i}]", $"unknown site '{site}'; sites: {string.Join(", ", _environment.Sites.Select(s => s.Name))}");
        }

        foreach (var (node, i) in spec.Nodes.Select((n, i) => (n, i)).Where(x => !_environment.Nodes.Any(n => n.Name == x.n)))
        {
            Error($"{path}.nodes[{i}]", $"unknown node '{node}'; nodes: {string.Join(", ", _environment.Nodes.Select(n => n.Name))}");
        }

        foreach (var (key, value) in spec.Labels.Where(l => !_environment.Nodes.Any(n => n.Labels.TryGetValue(l.Key, out var v) && v == l.Value)))
        {
            Error($"{path}.labels.{key}", $"no node has the label {key}={value}");
        }

        var perSite = spec.PerSite is null ? (int?)null : PositiveInt(spec.PerSite, path + ".perSite", 1);
        return new PlacementModel { Labels = spec.Labels, Sites = spec.Sites, Nodes = spec.Nodes, PerSite = perSite };
    }

    private HealthModel? Health(HealthSpec spec, string path)
    {
        var kinds = (spec.Tcp is null ? 0 : 1) + (spec.Http is null ? 0 : 1) + (spec.Command.Count == 0 ? 0 : 1);
        if (kinds != 1)
        {
            Error(path, "give exactly one of tcp: PORT, http: URL or command: [PROGRAM, ARGS...]");
            return null;
        }

        var interval = ValueChecks.Duration(spec.Interval, path + ".interval", TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(50), TimeSpan.FromHours(1), Error);
        var timeout = ValueChecks.Duration(spec.Timeout, path + ".timeout", TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(5), Error);
        if (spec.Tcp is not null)
        {
            return Port(spec.Tcp, path + ".tcp") is { } port ? new HealthModel { Kind = HealthKind.Tcp, Port = port, Interval = interval, Timeout = timeout } : null;
        }

        if (spec.Http is not null)
        {
            // A template error alone: the URL check below would only repeat it as "not an http:// URL".
            if (Templates.Check(spec.Http) is { } problem)
            {
                Error(path + ".http", problem);
                return null;
            }

            var probe = spec.Http.Replace("{{node.address}}", "192.0.2.1", StringComparison.Ordinal);
            if (!Uri.TryCreate(probe, UriKind.Absolute, out var uri) || uri.Scheme != "http")
            {
                Error(path + ".http", $"'{spec.Http}' is not an http:// URL, e.g. http://{{{{node.address}}}}:8080/status");
                return null;
            }

            return new HealthModel { Kind = HealthKind.Http, Port = uri.Port, Url = spec.Http, Interval = interval, Timeout = timeout };
        }

        var program = ResolveCommand(spec.Command[0], path + ".command[0]");
        return program is null ? null : new HealthModel { Kind = HealthKind.Command, Command = [program, .. spec.Command.Skip(1)], Interval = interval, Timeout = timeout };
    }

    /// <summary>Two workloads that would both listen on one port of one node: an error at the later one.</summary>
    private void CheckPorts(List<WorkloadModel> models, List<WorkloadModel> others)
    {
        var used = new Dictionary<(string Node, int Port), string>();
        foreach (var other in others)
        {
            foreach (var node in other.Select(_environment))
            {
                foreach (var port in other.Ports)
                {
                    used.TryAdd((node.Name, port), other.Name);
                }
            }
        }

        for (var i = 0; i < models.Count; i++)
        {
            foreach (var node in models[i].Select(_environment))
            {
                foreach (var port in models[i].Ports)
                {
                    if (!used.TryAdd((node.Name, port), models[i].Name) && used[(node.Name, port)] != models[i].Name)
                    {
                        Error($"workloads[{i}].ports", $"port {port} on node {node.Name} is also used by workload '{used[(node.Name, port)]}'; pick another port or other nodes");
                        return;
                    }
                }
            }
        }
    }

    private int PositiveInt(string? text, string path, int fallback) => ValueChecks.Positive(text, path, fallback, Error);

    private int? Port(string text, string path) => ValueChecks.Port(text, path, Error);

    private void Error(string path, string message)
    {
        var at = _map.Find(path);
        _errors.Add(new SpecError(_map.File, at.Line, at.Column, path, message));
    }
}
