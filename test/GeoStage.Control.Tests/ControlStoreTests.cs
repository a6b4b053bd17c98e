using GeoStage.Control.Store;
using GeoStage.Core.State;
using GeoStage.Core.Validation;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Control.Tests;

/// <summary>Pending topology operations survive a reopen of the store whole, and go when ended.</summary>
public sealed class ControlStoreTests
{
    [Fact]
    public void Operations_BegunAdvancedAndReopened_ComeBackWholeUntilEnded()
    {
        using var temp = new TempState();
        var states = new StateStore(temp.Root);
        var model = SpecValidator.Load(Topologies.TwoSites("ops"), "test.yaml", new Local.HostRoutes().Read());
        PendingOperation begun;
        using (var store = new ControlStore(states.Open("ops")))
        {
            begun = store.Begin(new PendingOperation { Kind = OperationKinds.SiteAdd, Target = "west", Phase = "recorded", Site = model.Sites[1], Tunnels = model.Overlay.Tunnels, StartedAt = DateTimeOffset.UnixEpoch });
            store.Begin(new PendingOperation { Kind = OperationKinds.NodeAdd, Target = "w1", Phase = "recorded", Node = model.Nodes[2], StartedAt = DateTimeOffset.UnixEpoch });
            store.Save(begun with { Phase = "links" });
        }

        using var reopened = new ControlStore(states.Open("ops"));
        var pending = reopened.Operations();
        reopened.End(pending[0]);

        Assert.Equal([OperationKinds.SiteAdd, OperationKinds.NodeAdd], pending.Select(o => o.Kind));
        Assert.Equal("links", pending[0].Phase);
        Assert.Equal(model.Sites[1].Cidr, pending[0].Site!.Cidr);
        Assert.Equal(model.Overlay.Tunnels.Single().Port, pending[0].Tunnels.Single().Port);
        Assert.Equal(model.Nodes[2].Address, pending[1].Node!.Address);
        Assert.Equal(["w1"], reopened.Operations().Select(o => o.Target));
    }
}
