using GeoStage.Core.State;
using GeoStage.Core.Validation;
using Xunit;

namespace GeoStage.Core.Tests.State;

/// <summary>What the store refuses to touch: names that are no DNS-1123 label (they would lead outside the
/// root or to the root itself), symbolic links, and directories it did not create.</summary>
public sealed class StateStoreSafetyTests : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("geostage-safety-");
    private readonly StateStore _store;
    private readonly string _victim;

    public StateStoreSafetyTests()
    {
        _store = new StateStore(Path.Combine(_temp.FullName, "state"));
        _victim = Path.Combine(_temp.FullName, "victim");
        Directory.CreateDirectory(Path.Combine(_victim, "sub"));
        File.WriteAllText(Path.Combine(_victim, "sub", "precious.txt"), "keep me");
        Directory.CreateDirectory(_store.Root);
    }

    public static TheoryData<string> BadNames => ["../victim", "", ".", "..", "a/b", "Seed", "seed_1", "-seed", new string('a', 64), "/"];

    public void Dispose() => _temp.Delete(recursive: true);

    [Theory]
    [MemberData(nameof(BadNames))]
    public void Delete_NameNotALabel_ThrowsAndRemovesNothing(string name)
    {
        var saved = Saved(_store, "keep");

        Assert.Throws<InvalidEnvironmentNameException>(() => _store.Delete(name));

        Assert.True(File.Exists(Path.Combine(_victim, "sub", "precious.txt")));
        Assert.Equal(saved.Name, _store.Load("keep")?.Name);
    }

    [Fact]
    public void Delete_AbsolutePath_ThrowsAndRemovesNothing()
    {
        Assert.Throws<InvalidEnvironmentNameException>(() => _store.Delete(_victim));

        Assert.True(File.Exists(Path.Combine(_victim, "sub", "precious.txt")));
    }

    [Theory]
    [MemberData(nameof(BadNames))]
    public void LockLoadEnsure_NameNotALabel_ThrowWithoutCreatingAnything(string name)
    {
        Assert.Throws<InvalidEnvironmentNameException>(() => _store.Lock(name));
        Assert.Throws<InvalidEnvironmentNameException>(() => _store.Load(name));
        Assert.Throws<InvalidEnvironmentNameException>(() => _store.EnsureDirectory(name, "logs"));

        Assert.Empty(Directory.EnumerateFileSystemEntries(_store.Root));
        Assert.Equal(["sub"], Directory.EnumerateFileSystemEntries(_victim).Select(Path.GetFileName));
    }

    [Fact]
    public void CheckName_Empty_SaysSoAndHowToFixIt()
    {
        var error = Assert.Throws<InvalidEnvironmentNameException>(() => StateStore.CheckName(""));

        Assert.Equal("invalid environment name: it must not be empty; give one such as 'seed' (an unset shell variable?)", error.Message);
    }

    [Fact]
    public void Delete_StateDirectoryIsASymlink_RefusesAndKeepsBoth()
    {
        File.WriteAllText(Path.Combine(_victim, "geostage.db"), "looks like state");
        File.CreateSymbolicLink(Path.Combine(_store.Root, "seed"), _victim);

        var error = Assert.Throws<ForeignStateDirectoryException>(() => _store.Delete("seed"));

        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_victim, "sub", "precious.txt")));
        Assert.NotNull(new FileInfo(Path.Combine(_store.Root, "seed")).LinkTarget);
        Assert.Throws<ForeignStateDirectoryException>(() => _store.Lock("seed"));
        Assert.False(File.Exists(Path.Combine(_victim, "lock")));
    }

    [Fact]
    public void Delete_SymlinksInsideStateDirectory_RemovesTheLinksNotTheirTargets()
    {
        Saved(_store, "seed");
        var dir = _store.DirectoryOf("seed");
        File.CreateSymbolicLink(Path.Combine(dir, "dir-link"), _victim);
        File.CreateSymbolicLink(Path.Combine(dir, "file-link"), Path.Combine(_victim, "sub", "precious.txt"));
        Directory.CreateDirectory(Path.Combine(dir, "logs"));
        File.CreateSymbolicLink(Path.Combine(dir, "logs", "nested-link"), Path.Combine(_victim, "sub"));

        _store.Delete("seed");

        Assert.False(Directory.Exists(dir));
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(_victim, "sub", "precious.txt")));
    }

    [Fact]
    public void Delete_DirectoryWithoutMarker_RefusesAndChangesNothing()
    {
        var foreign = Path.Combine(_store.Root, "seed");
        Directory.CreateDirectory(foreign);
        File.WriteAllText(Path.Combine(foreign, "notes.txt"), "not GeoStage's");

        var error = Assert.Throws<ForeignStateDirectoryException>(() => _store.Delete("seed"));
        Assert.Throws<ForeignStateDirectoryException>(() => _store.Lock("seed"));

        Assert.Contains(".geostage-environment", error.Message, StringComparison.Ordinal);
        Assert.Equal(["notes.txt"], Directory.EnumerateFileSystemEntries(foreign).Select(Path.GetFileName));
    }

    [Fact]
    public void Save_NewEnvironment_MarksItsDirectoryForTheOwnerOnly()
    {
        Saved(_store, "seed");

        var marker = Path.Combine(_store.DirectoryOf("seed"), ".geostage-environment");
        Assert.True(File.Exists(marker));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(marker));
    }

    [Fact]
    public void Delete_DirectoryFromBeforeTheMarker_IsRecognisedByItsStateFile()
    {
        Saved(_store, "seed");
        File.Delete(Path.Combine(_store.DirectoryOf("seed"), ".geostage-environment"));

        _store.Delete("seed");

        Assert.False(Directory.Exists(_store.DirectoryOf("seed")));
    }

    [Fact]
    public void List_DirectoryWhoseNameIsNotALabel_IsLeftOut()
    {
        Saved(_store, "seed");
        var odd = Path.Combine(_store.Root, "Seed Copy");
        Directory.CreateDirectory(odd);
        File.Copy(_store.DatabaseFile("seed"), Path.Combine(odd, "geostage.db"));

        Assert.Equal(["seed"], _store.List());
    }

    [Fact]
    public void List_SymlinkedDirectory_IsLeftOutSoThatDownAllDoesNotStopAtIt()
    {
        Saved(_store, "seed");
        File.Copy(_store.DatabaseFile("seed"), Path.Combine(_victim, "geostage.db"));
        File.CreateSymbolicLink(Path.Combine(_store.Root, "linked"), _victim);

        Assert.Equal(["seed"], _store.List());
    }

    private static EnvironmentState Saved(StateStore store, string name)
    {
        var state = new EnvironmentState
        {
            Name = name,
            Phase = EnvironmentPhase.Up,
            Model = SpecValidator.Load(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", "seed.yaml")), "seed.yaml", []) with { Name = name },
            CreatedAt = DateTimeOffset.UnixEpoch,
        };
        store.Save(state);
        return state;
    }
}
