using System.Diagnostics;
using System.Text;
using System.Text.Json;
using GeoStage.Control.Reconcile;
using GeoStage.Control.Store;
using Microsoft.AspNetCore.Http;

namespace GeoStage.Control.Api;

public static partial class ControlApi
{
    /// <summary>Adds a node, then waits (off the loop) until it reaches and is reached by every node and its instances are healthy.</summary>
    private static async Task<NodeAdded> AddNodeAsync(ControlLoop loop, NodeRequest request, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var node = await loop.Post(() => loop.AddNodeAsync(request.Site, request.Name, request.Address, request.Labels, cancellationToken)).ConfigureAwait(false);
        var reach = await loop.Backend.WaitNodeReachableAsync(loop.State.Model, node.Name, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        var reachable = clock.Elapsed;
        if (!reach.All)
        {
            throw new Core.Validation.InvalidRequestException($"node {node.Name} was added but {reach.Pairs.Count(p => !p.Reachable)} of {reach.Total} pairs with it are unreachable after 30 s");
        }

        var placed = 0;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            var instances = loop.Store.Instances().Where(i => i.Node == node.Name).ToList();
            var wanted = loop.Store.Workloads().Count(w => w.Status != WorkloadStatus.Stopped && w.Spec.Select(loop.State.Model).Any(n => n.Name == node.Name));
            placed = instances.Count;
            if (instances.Count >= wanted && instances.All(i => i.State == InstanceState.Healthy))
            {
                break;
            }

            await Task.WhenAny(loop.Changed, Task.Delay(50, CancellationToken.None)).ConfigureAwait(false);
            if (timeout.IsCancellationRequested)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw new Core.Validation.InvalidRequestException($"node {node.Name} was added and is reachable, but its {placed} instance(s) were not all healthy after 60 s; see 'geostage ps' and 'geostage events'");
            }
        }

        var healthy = clock.Elapsed;
        return new NodeAdded(node.Name, node.Site, node.Address.ToString(), Math.Round(reachable.TotalSeconds, 3), Math.Round(healthy.TotalSeconds, 3), Math.Round(Math.Max(reachable.TotalSeconds, healthy.TotalSeconds), 3), placed);
    }

    /// <summary>Events as JSON lines, from after <paramref name="after"/>; with follow, new ones as they happen.</summary>
    private static async Task StreamEventsAsync(HttpContext context, long? after, bool? follow, ControlLoopHolder holder)
    {
        var loop = holder.Loop;
        context.Response.ContentType = "application/x-ndjson";
        var last = after ?? 0;
        var ct = context.RequestAborted;
        while (!ct.IsCancellationRequested)
        {
            var changed = loop.Changed;
            IReadOnlyList<EventRecord> batch;
            do
            {
                batch = loop.Store.Events(last, 1000);
                foreach (var e in batch)
                {
                    await context.Response.WriteAsync(JsonSerializer.Serialize(e, Wire.Compact) + "\n", ct).ConfigureAwait(false);
                    last = e.Id;
                }
            }
            while (batch.Count == 1000);

            await context.Response.Body.FlushAsync(ct).ConfigureAwait(false);
            if (follow != true)
            {
                return;
            }

            try
            {
                await changed.WaitAsync(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Look again anyway.
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Each instance's output, each line prefixed with its node; with follow, as it grows.</summary>
    private static async Task StreamLogsAsync(HttpContext context, string workload, string? node, int? tail, bool? follow, ControlLoopHolder holder)
    {
        var loop = holder.Loop;
        var instances = loop.Store.Instances(workload).Where(i => node is null || i.Node == node).ToList();
        if (loop.Store.Workload(workload) is null || instances.Count == 0)
        {
            context.Response.StatusCode = 404;
            await context.Response.WriteAsJsonAsync(new ErrorResponse(node is null ? $"no workload named '{workload}' with instances" : $"workload '{workload}' has no instance on '{node}'", []), Wire.Options).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        var ct = context.RequestAborted;
        var offsets = new Dictionary<string, long>();
        foreach (var instance in instances)
        {
            var lines = File.Exists(instance.LogFile) ? await File.ReadAllLinesAsync(instance.LogFile, ct).ConfigureAwait(false) : [];
            foreach (var line in lines.TakeLast(tail ?? 100))
            {
                await context.Response.WriteAsync($"[{instance.Node}] {line}\n", ct).ConfigureAwait(false);
            }

            offsets[instance.LogFile] = File.Exists(instance.LogFile) ? new FileInfo(instance.LogFile).Length : 0;
        }

        await context.Response.Body.FlushAsync(ct).ConfigureAwait(false);
        while (follow == true && !ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(200, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            foreach (var instance in instances)
            {
                var text = ReadFrom(instance.LogFile, offsets);
                foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    await context.Response.WriteAsync($"[{instance.Node}] {line}\n", ct).ConfigureAwait(false);
                }
            }

            await context.Response.Body.FlushAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>What was appended since the last read; starts over when the file shrank (it was rotated).</summary>
    private static string ReadFrom(string file, Dictionary<string, long> offsets)
    {
        if (!File.Exists(file))
        {
            return "";
        }

        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var from = offsets.GetValueOrDefault(file);
        if (stream.Length < from)
        {
            from = 0;
        }

        stream.Seek(from, SeekOrigin.Begin);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = reader.ReadToEnd();
        offsets[file] = stream.Length;
        return text;
    }
}

/// <summary>Gives endpoint delegates the loop through dependency injection.</summary>
public sealed record ControlLoopHolder(ControlLoop Loop);
