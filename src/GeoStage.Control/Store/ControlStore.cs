using System.Text.Json;
using GeoStage.Core.State;
using Microsoft.Data.Sqlite;

namespace GeoStage.Control.Store;

/// <summary>
/// Workloads, instances, events and pending topology operations in the environment's SQLite file.
/// Concurrency: one connection, used from the control loop and from API handlers; a lock serialises it.
/// </summary>
public sealed class ControlStore : IDisposable
{
    private readonly object _gate = new();
    private readonly SqliteConnection _connection;

    public ControlStore(SqliteConnection connection)
    {
        _connection = connection;

        // Created here rather than in the shared schema: a database written before this table existed
        // gets it on the daemon's next start, with no schema version to bump.
        Database.Execute(_connection, "CREATE TABLE IF NOT EXISTS operations (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, target TEXT NOT NULL, json TEXT NOT NULL)");
    }

    /// <summary>Topology changes begun and not yet finished or undone, oldest first.</summary>
    public IReadOnlyList<PendingOperation> Operations() =>
        [.. Query<PendingOperation>("SELECT json FROM operations ORDER BY id")];

    /// <summary>Records the intent to change the topology, before anything is touched; returns it with its id.</summary>
    public PendingOperation Begin(PendingOperation operation)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "INSERT INTO operations (kind, target, json) VALUES ($kind, $target, '{}') RETURNING id";
            command.Parameters.AddWithValue("$kind", operation.Kind);
            command.Parameters.AddWithValue("$target", operation.Target);
            var begun = operation with { Id = Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) };
            Save(begun);
            return begun;
        }
    }

    /// <summary>Records how far the operation got.</summary>
    public PendingOperation Save(PendingOperation operation)
    {
        Execute("UPDATE operations SET json = $json WHERE id = $id", ("$id", operation.Id), ("$json", JsonSerializer.Serialize(operation, StateJson.Compact)));
        return operation;
    }

    /// <summary>The operation is finished or undone: nothing is left to do after a restart.</summary>
    public void End(PendingOperation operation) => Execute("DELETE FROM operations WHERE id = $id", ("$id", operation.Id));

    public IReadOnlyList<WorkloadRecord> Workloads() => Query<WorkloadRecord>("SELECT json FROM workloads ORDER BY name");

    public WorkloadRecord? Workload(string name) =>
        Query<WorkloadRecord>("SELECT json FROM workloads WHERE name = $name", ("$name", name)).FirstOrDefault();

    public void Save(WorkloadRecord workload) => Execute(
        "INSERT INTO workloads (name, json) VALUES ($name, $json) ON CONFLICT (name) DO UPDATE SET json = excluded.json",
        ("$name", workload.Name),
        ("$json", JsonSerializer.Serialize(workload, StateJson.Compact)));

    public IReadOnlyList<InstanceRecord> Instances(string? workload = null) => workload is null
        ? Query<InstanceRecord>("SELECT json FROM instances ORDER BY workload, node")
        : Query<InstanceRecord>("SELECT json FROM instances WHERE workload = $w ORDER BY node", ("$w", workload));

    public void Save(InstanceRecord instance) => Execute(
        "INSERT INTO instances (workload, node, json) VALUES ($w, $n, $json) ON CONFLICT (workload, node) DO UPDATE SET json = excluded.json",
        ("$w", instance.Workload),
        ("$n", instance.Node),
        ("$json", JsonSerializer.Serialize(instance, StateJson.Compact)));

    public void Delete(InstanceRecord instance) =>
        Execute("DELETE FROM instances WHERE workload = $w AND node = $n", ("$w", instance.Workload), ("$n", instance.Node));

    public EventRecord Append(DateTimeOffset at, string kind, string? workload, string? node, string message)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "INSERT INTO events (at, kind, workload, node, message) VALUES ($at, $kind, $w, $n, $m) RETURNING id";
            command.Parameters.AddWithValue("$at", at.ToString("O"));
            command.Parameters.AddWithValue("$kind", kind);
            command.Parameters.AddWithValue("$w", (object?)workload ?? DBNull.Value);
            command.Parameters.AddWithValue("$n", (object?)node ?? DBNull.Value);
            command.Parameters.AddWithValue("$m", message);
            var id = Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            return new EventRecord(id, at, kind, workload, node, message);
        }
    }

    public IReadOnlyList<EventRecord> Events(long afterId, int limit)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT id, at, kind, workload, node, message FROM events WHERE id > $after ORDER BY id LIMIT $limit";
            command.Parameters.AddWithValue("$after", afterId);
            command.Parameters.AddWithValue("$limit", limit);
            using var reader = command.ExecuteReader();
            var events = new List<EventRecord>();
            while (reader.Read())
            {
                events.Add(new EventRecord(
                    reader.GetInt64(0),
                    DateTimeOffset.Parse(reader.GetString(1), System.Globalization.CultureInfo.InvariantCulture),
                    reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.GetString(5)));
            }

            return events;
        }
    }

    public void Dispose() => _connection.Dispose();

    private List<T> Query<T>(string sql, params (string Name, object Value)[] parameters)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value);
            }

            using var reader = command.ExecuteReader();
            var rows = new List<T>();
            while (reader.Read())
            {
                rows.Add(JsonSerializer.Deserialize<T>(reader.GetString(0), StateJson.Options)!);
            }

            return rows;
        }
    }

    private void Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        lock (_gate)
        {
            Database.Execute(_connection, sql, parameters);
        }
    }
}
