using System.Net;
using GeoStage.Core.Model;
using GeoStage.Core.Validation;
using Xunit;

namespace GeoStage.Core.Tests.Validation;

public sealed class SeedExampleTests
{
    private static readonly string s_seedPath = Path.Combine(AppContext.BaseDirectory, "examples", "seed.yaml");

    private static EnvironmentModel LoadSeed() => SpecValidator.LoadFile(s_seedPath, new FakeHostNetworks());

    [Fact]
    public void LoadFile_Seed_HasThreeSitesWithTheirNetworks()
    {
        var model = LoadSeed();

        Assert.Equal("seed", model.Name);
        Assert.Equal(IPNetwork.Parse("10.4.0.0/16"), model.Wan);
        Assert.Equal(
            [
                ("a", "192.168.10.0/24", "10.4.0.90", "192.168.10.1", "site A (control plane)"),
                ("b", "192.168.20.0/24", "10.4.0.91", "192.168.20.1", "site B (workers)"),
                ("c", "192.168.30.0/24", "10.4.0.92", "192.168.30.1", "site C (workers)"),
            ],
            model.Sites.Select(s => (s.Name, s.Cidr.ToString(), s.RouterWan.ToString(), s.Gateway.ToString(), s.Location)));
        Assert.Equal([0, 1, 2], model.Sites.Select(s => s.Index));
    }

    [Fact]
    public void LoadFile_Seed_HasEightNodesAtTheirWrittenAddresses()
    {
        var model = LoadSeed();

        Assert.Equal(
            [
                ("lb", "a", "192.168.10.253", "lb"),
                ("master01", "a", "192.168.10.101", "master"),
                ("master02", "a", "192.168.10.102", "master"),
                ("master03", "a", "192.168.10.103", "master"),
                ("node01", "b", "192.168.20.101", "worker"),
                ("node02", "b", "192.168.20.102", "worker"),
                ("node03", "c", "192.168.30.101", "worker"),
                ("node04", "c", "192.168.30.102", "worker"),
            ],
            model.Nodes.Select(n => (n.Name, n.Site, n.Address.ToString(), n.Labels["role"])));
        Assert.All(model.Nodes, n => Assert.False(n.Allocated));
        Assert.Equal(["master01", "master02", "master03"], model.NodesIn("a").Where(n => n.Labels["role"] == "master").Select(n => n.Name));
    }

    [Fact]
    public void LoadFile_Seed_PlansAMeshOfThreeTunnelsFromPort1194()
    {
        var overlay = LoadSeed().Overlay;

        Assert.Equal(OverlayBackend.OpenVpn, overlay.Backend);
        Assert.Equal(OverlayTopology.Mesh, overlay.Topology);
        Assert.Equal(SpecValidator.DefaultPort, overlay.BasePort);
        Assert.Equal(
            [(0, "a", "b", 1194), (1, "a", "c", 1195), (2, "b", "c", 1196)],
            overlay.Tunnels.Select(t => (t.Index, t.Server, t.Client, t.Port)));
    }

    [Fact]
    public void LoadFile_SeedOnAHostRoutingTheSiteNetworks_ReportsEachOverlap()
    {
        var host = new FakeHostNetworks(new HostNetwork(IPNetwork.Parse("192.168.0.0/16"), "dev wlan0 proto kernel"));

        var errors = Assert.Throws<SpecException>(() => SpecValidator.LoadFile(s_seedPath, host)).Errors;

        Assert.Equal([(8, 11), (12, 11), (16, 11)], errors.Select(e => (e.Line, e.Column)));
        Assert.All(errors, e => Assert.Equal(s_seedPath, e.File));
        Assert.All(errors, e => Assert.Contains("overlaps 192.168.0.0/16, a network of this host (dev wlan0 proto kernel)", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void LoadFile_MissingFile_ReportsItAtTheStart()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "examples", "no-such-file.yaml");

        var error = Assert.Single(Assert.Throws<SpecException>(() => SpecValidator.LoadFile(path, new FakeHostNetworks())).Errors);

        Assert.Equal((path, 1, 1), (error.File, error.Line, error.Column));
        Assert.Contains("cannot read the file", error.Message, StringComparison.Ordinal);
    }
}
