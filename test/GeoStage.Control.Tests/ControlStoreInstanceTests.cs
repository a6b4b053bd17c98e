using GeoStage.Control.Store;
using GeoStage.Core.State;
using GeoStage.Local.Instances;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Control.Tests;

/// <summary>
/// An instance's handle survives the store: adoption after a daemon restart compares the stored handle
/// with the scanned one, and ps and the events show it. No root needed.
/// </summary>
public sealed class ControlStoreInstanceTests
{
    [Fact]
    public void Instances_SavedWithAHandleAndReopened_NameTheSameProcess()
    {
        using var temp = new TempState();
        var states = new StateStore(temp.Root);
        var handle = LocalRuntime.HandleOf(4242, 987654321UL);
        using (var store = new ControlStore(states.Open("inst")))
        {
            store.Save(Record() with { Handle = handle });
        }

        using var reopened = new ControlStore(states.Open("inst"));
        var loaded = Assert.Single(reopened.Instances()).Handle;

        // Equal as a whole (the Pid too): adoption keeps the recorded instance by this comparison.
        Assert.Equal(handle, loaded);
        Assert.Equal("pid 4242", loaded?.ToString());
        Assert.Equal((4242, 987654321UL), LocalRuntime.Parse(loaded!));
    }

    [Fact]
    public void Instances_RecordedBeforeHandlesExisted_LoadWithoutOne()
    {
        // A daemon from before the seams stored pid and startTicks; a newer one reads the record, without
        // a handle, and adoption finds the instance again by its marker.
        using var temp = new TempState();
        var states = new StateStore(temp.Root);
        using (var connection = states.Open("old"))
        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = "INSERT INTO instances (workload, node, json) VALUES ('web', 'node01', $json)";
            insert.Parameters.AddWithValue("$json", """{"workload":"web","node":"node01","site":"b","version":"1","generation":1,"state":"healthy","pid":4242,"startTicks":987654321,"restarts":0,"logFile":"/tmp/web.log","workDir":"/tmp/web"}""");
            insert.ExecuteNonQuery();
        }

        using var store = new ControlStore(states.Open("old"));
        var loaded = Assert.Single(store.Instances());

        Assert.Equal(("web", "node01", InstanceState.Healthy), (loaded.Workload, loaded.Node, loaded.State));
        Assert.Null(loaded.Handle);
    }

    private static InstanceRecord Record() => new()
    {
        Workload = "web",
        Node = "node01",
        Site = "b",
        Version = "1",
        Generation = 1,
        State = InstanceState.Healthy,
        LogFile = "/tmp/web.log",
        WorkDir = "/tmp/web",
    };
}
