using GeoStage.Core.Model;
using GeoStage.Local.Namespaces;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Local.Tests;

/// <summary>A node left half-built (its add killed after the namespace appeared) can be removed, or finished.</summary>
public sealed class NodeRepairTests
{
    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task RemoveNodeAsync_HalfBuiltNode_RemovesItAndItsNamespace()
    {
        await using var env = Env.Create(Topologies.TwoSites(TempState.UniqueName("hr")));
        await env.UpAsync(measureBefore: false);
        var node = await HalfBuildAsync(env, "w2");

        var shrunk = await env.Backend.RemoveNodeAsync(env.State, node.Name, CancellationToken.None);

        Assert.False(Ip.Exists(LocalNames.Node(env.Model.Name, node.Name)));
        Assert.DoesNotContain(shrunk.Model.Nodes, n => n.Name == node.Name);
        Assert.DoesNotContain(env.State.Namespaces, ns => ns == LocalNames.Node(env.Model.Name, node.Name));
    }

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task AddNodeAsync_ResumingAHalfBuiltNode_FinishesItReachableFromAll()
    {
        await using var env = Env.Create(Topologies.TwoSites(TempState.UniqueName("hf")));
        await env.UpAsync(measureBefore: false);
        var node = await HalfBuildAsync(env, "w2");

        var grown = await env.Backend.AddNodeAsync(env.State, node, resuming: true, steps: null, CancellationToken.None);
        var reach = await env.Backend.WaitNodeReachableAsync(grown.Model, node.Name, TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.Single(grown.Model.Nodes, n => n.Name == node.Name);
        Assert.Single(grown.Namespaces, ns => ns == LocalNames.Node(env.Model.Name, node.Name));
        Assert.True(reach.All, $"{reach.Pairs.Count(p => !p.Reachable)} pairs unreachable");
    }

    /// <summary>What a daemon killed right after "netns add" left: the node in the state, its namespace empty.</summary>
    private static async Task<NodeModel> HalfBuildAsync(Env env, string name)
    {
        var state = env.State;
        var node = Core.Validation.TopologyEditor.PlanNode(state.Model, "west", name, null, null);
        var ns = LocalNames.Node(state.Model.Name, name);
        env.Store.Save(state with { Model = state.Model with { Nodes = [.. state.Model.Nodes, node] }, Namespaces = [.. state.Namespaces, ns] });
        await Ip.BatchAsync(null, [$"netns add {ns}"], CancellationToken.None);
        return node;
    }
}
