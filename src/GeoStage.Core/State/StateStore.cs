using System.Text.Json;
using GeoStage.Core.Validation;

namespace GeoStage.Core.State;

/// <summary>
/// Environments' state under one root directory (<c>/var/lib/geostage</c> unless <c>GEOSTAGE_STATE_DIR</c>
/// says otherwise): <c>ROOT/NAME/geostage.db</c>, a SQLite file written in transactions, directories 0700
/// and files 0600 because they hold private keys. Every name is checked to be a DNS-1123 label before it
/// becomes a path, so no name reaches outside the root, and only a directory marked as GeoStage's own is
/// ever written into or removed (see <see cref="StateDirectory"/>).
/// Concurrency: writers of one environment are serialised by <see cref="Lock"/>, which holds an exclusive
/// file lock that the kernel drops if the process dies.
/// </summary>
public sealed class StateStore
{
    public const string DefaultRoot = "/var/lib/geostage";
    private const string StateFileName = "geostage.db";

    public StateStore(string root)
    {
        Root = root;
    }

    public string Root { get; }

    public static StateStore FromEnvironment() =>
        new(Environment.GetEnvironmentVariable("GEOSTAGE_STATE_DIR") is { Length: > 0 } dir ? dir : DefaultRoot);

    /// <summary>Throws <see cref="InvalidEnvironmentNameException"/> unless <paramref name="name"/> is a DNS-1123 label.</summary>
    public static void CheckName(string name)
    {
        if (Names.Check(name) is { } problem)
        {
            throw new InvalidEnvironmentNameException(name.Length == 0
                ? "invalid environment name: it must not be empty; give one such as 'seed' (an unset shell variable?)"
                : $"invalid environment name: {problem}");
        }
    }

    /// <summary>The environment's directory, a direct child of <see cref="Root"/>: the name is checked first.</summary>
    public string DirectoryOf(string name)
    {
        CheckName(name);
        return Path.Combine(Root, name);
    }

    public string DatabaseFile(string name) => Path.Combine(DirectoryOf(name), StateFileName);

    /// <summary>Opens the environment's database, creating it (and its directory) when absent.</summary>
    public Microsoft.Data.Sqlite.SqliteConnection Open(string name)
    {
        EnsureDirectory(name);
        return Database.Open(DatabaseFile(name));
    }

    public EnvironmentState? Load(string name)
    {
        var file = DatabaseFile(name);
        if (!File.Exists(file))
        {
            return null;
        }

        try
        {
            using var connection = Database.Open(file);
            return Database.Scalar(connection, "SELECT json FROM environment WHERE id = 1") is string json
                ? JsonSerializer.Deserialize<EnvironmentState>(json, StateJson.Options)
                : null;
        }
        catch (Exception e) when (e is JsonException or Microsoft.Data.Sqlite.SqliteException)
        {
            throw new InvalidOperationException($"{file} is not a readable GeoStage state file ({e.Message}); remove the environment's namespaces by hand or restore the file", e);
        }
    }

    /// <summary>Names of every environment with a state file, sorted.</summary>
    public IReadOnlyList<string> List()
    {
        if (!Directory.Exists(Root))
        {
            return [];
        }

        // A directory whose name is no environment name, or a link, is not GeoStage's: left out, not read,
        // so that 'down --all' does not stop at it.
        return [.. Directory.EnumerateDirectories(Root)
            .Where(d => Names.Check(Path.GetFileName(d)) is null && new DirectoryInfo(d).LinkTarget is null)
            .Where(d => File.Exists(Path.Combine(d, StateFileName)) && Load(Path.GetFileName(d)) is not null)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal)];
    }

    public void Save(EnvironmentState state)
    {
        using var connection = Open(state.Name);
        Database.Execute(
            connection,
            "INSERT INTO environment (id, json) VALUES (1, $json) ON CONFLICT (id) DO UPDATE SET json = excluded.json",
            ("$json", JsonSerializer.Serialize(state, StateJson.Compact)));
    }

    /// <summary>Removes the environment's directory and everything in it (keys, configs, logs); refuses a
    /// directory that is a symbolic link or not marked as GeoStage's with <see cref="ForeignStateDirectoryException"/>.</summary>
    public void Delete(string name) => StateDirectory.Remove(DirectoryOf(name), StateFileName);

    public string EnsureDirectory(string name, params string[] parts)
    {
        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        if (!Directory.Exists(Root))
        {
            Directory.CreateDirectory(Root, Private);
        }

        var dir = DirectoryOf(name);
        StateDirectory.Claim(dir, StateFileName);
        foreach (var part in parts)
        {
            dir = Path.Combine(dir, part);
            Directory.CreateDirectory(dir, Private);
        }

        return dir;
    }

    /// <summary>
    /// Takes the environment's lock, or returns null when another GeoStage process holds it. Releasing a
    /// lock of an environment that has no state (a refused up, a down of nothing) leaves no directory behind.
    /// </summary>
    public IDisposable? Lock(string name)
    {
        var dir = EnsureDirectory(name);
        try
        {
            var stream = new FileStream(Path.Combine(dir, "lock"), new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
            return new Held(this, name, stream);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private sealed class Held(StateStore store, string name, FileStream stream) : IDisposable
    {
        public void Dispose()
        {
            if (store.Load(name) is null)
            {
                store.Delete(name);
            }

            stream.Dispose();
        }
    }
}
