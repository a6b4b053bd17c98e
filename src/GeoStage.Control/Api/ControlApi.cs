using GeoStage.Control.Reconcile;
using GeoStage.Control.Store;
using GeoStage.Core.Model;
using GeoStage.Core.Validation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace GeoStage.Control.Api;

/// <summary>
/// The daemon's JSON HTTP API on its Unix socket. Every change is posted to the control loop; reads go
/// to the store. Bad requests answer 400 with one line per problem, unknown names 404.
/// </summary>
public static partial class ControlApi
{
    public static void Map(IEndpointRouteBuilder app, ControlLoop loop, DateTimeOffset since)
    {
        var api = app.MapGroup("/v1");
        MapLeases(api, loop.Leases);
        MapBalancers(api, loop);
        api.MapGet("/health", () => new HealthResponse(loop.State.Name, Environment.ProcessId, since));
        api.MapGet("/environment", () => loop.State);
        api.MapGet("/workloads", () => loop.Store.Workloads().Select(w => WorkloadView.Of(w, loop.Store.Instances(w.Name))));
        api.MapGet("/workloads/{name}/generations", (string name) => loop.Store.Workload(name) is { } workload
            ? Results.Json(workload.History.Select(g => GenerationView.Of(workload, g)), Wire.Compact)
            : Results.Json(new ErrorResponse($"no workload named '{name}'; 'geostage ps' lists them", []), Wire.Options, statusCode: 404));
        api.MapGet("/instances", (string? workload) =>
        {
            var now = DateTimeOffset.UtcNow;
            var addresses = loop.State.Model.Nodes.ToDictionary(n => n.Name, n => n.Address);
            return loop.Store.Instances(workload).Select(i => InstanceView.Of(i, now, addresses.GetValueOrDefault(i.Node)));
        });
        api.MapPost("/workloads/apply", (ApplyRequest request) => Guard(() => loop.Post(() =>
        {
            if (request.Text is null || request.File is null)
            {
                throw new InvalidRequestException("an apply request needs 'file' and 'text'");
            }

            var others = loop.Store.Workloads().Where(w => w.Status != WorkloadStatus.Stopped).Select(w => w.Spec).ToList();
            var document = Core.Specs.SpecReader.ReadWorkloads(request.Text, request.File);
            var balancers = Core.Specs.SpecReader.ReadBalancers(request.Text, request.File);

            // A file may hold workloads, balancers or both; each is checked against what is known.
            var models = document.Workloads.Count > 0 || balancers.Balancers.Count == 0
                ? WorkloadValidator.Validate(document, loop.State.Model, others, loop.Runtime.ProgramsOnThisHost)
                : [];
            var known = models.Select(m => m.Name).Concat(others.Select(o => o.Name)).ToHashSet(StringComparer.Ordinal);
            var fronts = BalancerValidator.Validate(balancers, loop.State.Model, known)
                .Select(b => Balancers.BalancerWorkloads.ToWorkload(b, loop.State.Name, loop.StateRoot, Daemon.DaemonLauncher.SelfCommand()));
            var outcome = loop.Apply([.. models, .. fronts]);
            return new ApplyResponse(outcome, outcome.Keys.ToDictionary(n => n, n => loop.Store.Workload(n)?.Generation ?? 0));
        })));
        api.MapPost("/workloads/{name}/update", (string name, UpdateRequest request) => Guard(() => loop.Post(() =>
            View(loop, loop.Update(name, spec => Changed(spec, request))))));
        api.MapPost("/workloads/{name}/stop", (string name) => Guard(() => loop.Post(() => View(loop, loop.Stop(name)))));
        api.MapPost("/workloads/{name}/scale", (string name, ScaleRequest request) => Guard(() => loop.Post(() =>
            View(loop, loop.Scale(name, Placement(loop, request))))));
        api.MapPost("/workloads/{name}/restart", (string name, RestartRequest request, CancellationToken ct) => Guard(() => loop.Post(async () =>
            View(loop, await loop.RestartAsync(name, request.Node, ct).ConfigureAwait(false)))));
        api.MapPost("/nodes", (NodeRequest request, CancellationToken ct) => Guard(() => AddNodeAsync(loop, request, ct)));
        api.MapDelete("/nodes/{name}", (string name, CancellationToken ct) => Guard(() => loop.Post(async () =>
        {
            await loop.RemoveNodeAsync(name, ct).ConfigureAwait(false);
            return new { removed = name };
        })));
        api.MapPost("/sites", (SiteRequest request, CancellationToken ct) => Guard(() => loop.Post(async () =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var site = await loop.AddSiteAsync(request.Name, request.Cidr, request.Router, request.Location, ct).ConfigureAwait(false);
            var tunnels = loop.State.Model.Overlay.Tunnels.Count(t => t.Joins(site.Name));
            return new SiteAdded(site.Name, site.Cidr.ToString(), site.RouterWan.ToString(), site.Gateway.ToString(), tunnels, Math.Round(clock.Elapsed.TotalSeconds, 3));
        })));
        api.MapDelete("/sites/{name}", (string name, CancellationToken ct) => Guard(() => loop.Post(async () =>
        {
            await loop.RemoveSiteAsync(name, ct).ConfigureAwait(false);
            return new { removed = name };
        })));
        api.MapGet("/events", StreamEventsAsync);
        api.MapGet("/logs", StreamLogsAsync);
    }

    /// <summary>
    /// Leases for leader election (balancer replicas): answered at once, off the control loop, because a
    /// renewal that waits behind a rollout step could cost a leader its lease.
    /// </summary>
    private static void MapLeases(RouteGroupBuilder api, Balancer.Election.LeaseTable leases)
    {
        api.MapGet("/leases/{name}", (string name) => leases.Get(name) is { } lease ? Results.Json(lease, Wire.Options) : Results.Json(new ErrorResponse($"no lease named '{name}'", []), Wire.Options, statusCode: 404));
        api.MapPost("/leases/{name}/acquire", (string name, LeaseRequest request) =>
            request.TtlSeconds is > 0 and <= 3600 && request.Holder.Length > 0
                ? Results.Json(leases.AcquireOrRenew(name, request.Holder, TimeSpan.FromSeconds(request.TtlSeconds)), Wire.Options)
                : Results.Json(new ErrorResponse("a lease request needs a holder and a TTL from 0 to 3600 seconds", []), Wire.Options, statusCode: 400));
        api.MapPost("/leases/{name}/release", (string name, LeaseRequest request) =>
            Results.Json(leases.Release(name, request.Holder, request.Term ?? 0), Wire.Options));
    }

    /// <summary>Replicas report themselves; lb status reads the reports with the lease table's view of who leads.</summary>
    private static void MapBalancers(RouteGroupBuilder api, ControlLoop loop)
    {
        api.MapPost("/balancers/{name}/report", (string name, Balancer.Replica.ReplicaReport report) =>
        {
            loop.Record(name, report);
            return Results.Json(new { ok = true }, Wire.Options);
        });
        api.MapGet("/balancers", () => Results.Json(BalancerViews(loop), Wire.Options));

        // A new leader fences before it takes the VIP: the daemon takes the address off every other replica
        // node, whatever state their replicas are in (dead, slow, cut off), so no takeover overlaps a
        // holder, however late the daemon noticed a death. Only the lease's current holder and term may ask.
        api.MapPost("/balancers/{name}/fence", async (string name, FenceRequest request, CancellationToken ct) =>
        {
            var lease = loop.Leases.Get(Balancer.Replica.BalancerReplica.LeaseName(name));
            if (lease is null || lease.Holder != request.Node || lease.Term != request.Term)
            {
                return Results.Json(new ErrorResponse($"{request.Node} does not hold the lease of {name} in term {request.Term}", []), Wire.Options, statusCode: 409);
            }

            var removed = await loop.FenceOthersAsync(name, request.Node, ct).ConfigureAwait(false);
            return Results.Json(new { removed }, Wire.Options);
        });
    }

    private static List<BalancerView> BalancerViews(ControlLoop loop) =>
        [.. loop.Store.Workloads()
            .Select(w => Balancers.BalancerWorkloads.Of(w.Spec))
            .OfType<Core.Model.BalancerModel>()
            .Select(b =>
            {
                var lease = loop.Leases.Get(Balancer.Replica.BalancerReplica.LeaseName(b.Name));
                var reports = loop.Reports.Where(r => r.Key.Balancer == b.Name).Select(r => r.Value).OrderBy(r => r.Node).ToList();
                var leader = reports.FirstOrDefault(r => r.Leader && r.Node == lease?.Holder);
                double? failover = loop.LastFailover.TryGetValue(b.Name, out var f) ? Math.Round(f.TotalMilliseconds, 1) : null;
                var why = leader is not null ? loop.LeaderWhy.GetValueOrDefault(b.Name)
                    : loop.LeaderLost.TryGetValue(b.Name, out var lost) ? $"no leader since {lost.Why}" : null;
                return new BalancerView(b.Name, b.Site, b.Vip.ToString(), lease?.Holder, lease?.Term ?? 0, leader?.Since, leader?.LastTakeoverMs, failover, why, [.. b.Listeners.Select(l => $"{l.Port} -> {l.Backend}:{l.BackendPort}")], reports);
            })];

    private static WorkloadView View(ControlLoop loop, WorkloadRecord workload) => WorkloadView.Of(workload, loop.Store.Instances(workload.Name));

    private static WorkloadModel Changed(WorkloadModel spec, UpdateRequest request)
    {
        var problems = new List<string>();
        var command = spec.Command;
        if (request.Command is not null)
        {
            command = WorkloadValidator.FindCommand(request.Command, out var problem) ?? spec.Command;
            if (problem is not null)
            {
                problems.Add(problem);
            }
        }

        foreach (var template in (request.Args ?? []).Concat(request.Env?.Values ?? []))
        {
            if (Templates.Check(template) is { } problem)
            {
                problems.Add($"'{template}': {problem}");
            }
        }

        if (request.Version is { Length: 0 })
        {
            problems.Add("the version must not be empty");
        }

        if (problems.Count > 0)
        {
            throw new InvalidRequestException(string.Join("; ", problems));
        }

        return spec with
        {
            Version = request.Version ?? spec.Version,
            Command = command,
            Args = request.Args ?? spec.Args,
            Env = request.Env is null ? spec.Env : new Dictionary<string, string>(spec.Env.Concat(request.Env).GroupBy(p => p.Key).Select(g => g.Last())),
        };
    }

    private static PlacementModel Placement(ControlLoop loop, ScaleRequest request)
    {
        var model = loop.State.Model;
        foreach (var site in request.Sites ?? [])
        {
            _ = model.Sites.Any(s => s.Name == site) ? 0 : throw new InvalidRequestException($"unknown site '{site}'; sites: {string.Join(", ", model.Sites.Select(s => s.Name))}");
        }

        foreach (var node in request.Nodes ?? [])
        {
            _ = model.Nodes.Any(n => n.Name == node) ? 0 : throw new InvalidRequestException($"unknown node '{node}'; nodes: {string.Join(", ", model.Nodes.Select(n => n.Name))}");
        }

        if (request.PerSite is < 1)
        {
            throw new InvalidRequestException("--per-site takes a whole number from 1");
        }

        return new PlacementModel
        {
            Sites = request.Sites ?? [],
            Nodes = request.Nodes ?? [],
            Labels = request.Labels ?? new Dictionary<string, string>(),
            PerSite = request.PerSite,
        };
    }

    /// <summary>
    /// Turns the loop's expected exceptions into answers: 400 for bad input, 404 for unknown names. Any other
    /// reaches <see cref="UseErrors"/>, which logs it with its stack and answers 500 with one line.
    /// </summary>
    private static async Task<IResult> Guard<T>(Func<Task<T>> work)
    {
        try
        {
            return Results.Json(await work().ConfigureAwait(false), Wire.Options);
        }
        catch (SpecException e)
        {
            return Results.Json(new ErrorResponse($"{e.Errors.Count} error(s); nothing was changed", [.. e.Errors.Select(x => x.ToString())]), Wire.Options, statusCode: 400);
        }
        catch (InvalidRequestException e)
        {
            return Results.Json(new ErrorResponse(e.Message, []), Wire.Options, statusCode: 400);
        }
        catch (NotFoundException e)
        {
            return Results.Json(new ErrorResponse(e.Message, []), Wire.Options, statusCode: 404);
        }
    }
}
