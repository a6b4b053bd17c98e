using System.Text.Json;
using GeoStage.Core.State;
using GeoStage.Core.Validation;
using Xunit;

namespace GeoStage.Core.Tests.State;

public sealed class StateStoreTests : IDisposable
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnly = OwnerReadWrite | UnixFileMode.UserExecute;

    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("geostage-state-");
    private readonly StateStore _store;

    public StateStoreTests()
    {
        // A root that does not exist yet, so that the store has to create it.
        _store = new StateStore(Path.Combine(_temp.FullName, "root"));
    }

    public void Dispose() => _temp.Delete(recursive: true);

    private static EnvironmentState Sample(string name) => new()
    {
        Name = name,
        Phase = EnvironmentPhase.Up,
        Model = SpecValidator.Load(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", "seed.yaml")), "seed.yaml", []) with { Name = name },
        SpecFile = "/srv/seed.yaml",
        CreatedAt = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.FromHours(1)),
        ReadyAt = new DateTimeOffset(2025, 1, 2, 3, 5, 0, TimeSpan.FromHours(1)),
        Namespaces = [$"gs-{name}-a", $"gs-{name}-b"],
        Processes =
        [
            new ProcessRecord
            {
                Role = "openvpn",
                Namespace = $"gs-{name}-a",
                Pid = 4242,
                StartTicks = 123456789012UL,
                Command = ["openvpn", "--config", "a-b.conf"],
                LogFile = "/var/log/a-b.log",
                Site = "a",
                Peer = "b",
                Interface = "tun0",
            },
        ],
    };

    [Fact]
    public void SaveLoad_State_RoundTripsEveryField()
    {
        var state = Sample("seed");

        _store.Save(state);
        var loaded = _store.Load("seed");

        Assert.NotNull(loaded);
        Assert.Equal(JsonSerializer.Serialize(state, StateJson.Options), JsonSerializer.Serialize(loaded, StateJson.Options));
        Assert.Equal(state.Model.Sites[1].Cidr, loaded.Model.Sites[1].Cidr);
        Assert.Equal(state.Model.Nodes[0].Address, loaded.Model.Nodes[0].Address);
        Assert.Equal(state.CreatedAt, loaded.CreatedAt);
        Assert.Equal(123456789012UL, Assert.Single(loaded.Processes).StartTicks);
    }

    [Fact]
    public void Serialize_State_WritesEnumsAndAddressesAsText()
    {
        var json = JsonSerializer.Serialize(Sample("seed"), StateJson.Options);

        Assert.Contains("\"phase\": \"up\"", json, StringComparison.Ordinal);
        Assert.Contains("\"backend\": \"openVpn\"", json, StringComparison.Ordinal);
        Assert.Contains("\"cidr\": \"192.168.10.0/24\"", json, StringComparison.Ordinal);
        Assert.Contains("\"address\": \"192.168.10.253\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"error\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_State_IsReadableByTheOwnerOnly()
    {
        _store.Save(Sample("seed"));

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(_store.Root));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(_store.DirectoryOf("seed")));
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(_store.DatabaseFile("seed")));
    }

    [Fact]
    public void Save_Twice_ReplacesTheState()
    {
        _store.Save(Sample("seed") with { Phase = EnvironmentPhase.Building });
        _store.Save(Sample("seed") with { Phase = EnvironmentPhase.Failed, Error = "tunnel a-b did not come up" });

        var loaded = _store.Load("seed");

        Assert.Equal((EnvironmentPhase.Failed, "tunnel a-b did not come up"), (loaded?.Phase, loaded?.Error));
    }

    [Fact]
    public void List_SavedEnvironments_ReturnsTheirNamesSortedSkippingDirectoriesWithoutState()
    {
        _store.Save(Sample("zeta"));
        _store.Save(Sample("alpha"));
        _store.EnsureDirectory("half-made", "pki");

        Assert.Equal(["alpha", "zeta"], _store.List());
    }

    [Fact]
    public void List_MissingRoot_IsEmpty()
    {
        Assert.Empty(_store.List());
    }

    [Fact]
    public void Delete_SavedEnvironment_RemovesItsDirectory()
    {
        _store.Save(Sample("seed"));

        _store.Delete("seed");

        Assert.Null(_store.Load("seed"));
        Assert.False(Directory.Exists(_store.DirectoryOf("seed")));
        Assert.Empty(_store.List());
    }

    [Fact]
    public void Load_CorruptFile_SaysWhichFile()
    {
        var dir = _store.EnsureDirectory("seed");
        File.WriteAllText(_store.DatabaseFile("seed"), "{ not a database");

        var error = Assert.Throws<InvalidOperationException>(() => _store.Load("seed"));

        Assert.Contains(_store.DatabaseFile("seed"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lock_WhileAnotherLockIsHeld_ReturnsNullUntilReleased()
    {
        using (var first = _store.Lock("seed"))
        {
            Assert.NotNull(first);
            Assert.Null(_store.Lock("seed"));
            using var other = _store.Lock("other");
            Assert.NotNull(other);
        }

        using var again = _store.Lock("seed");
        Assert.NotNull(again);
    }
}
