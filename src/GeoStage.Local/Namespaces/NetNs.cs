using GeoStage.Local.Interop;

namespace GeoStage.Local.Namespaces;

/// <summary>
/// Runs code inside a network namespace without a child process: a dedicated thread enters the
/// namespace with setns(2) and runs the function there. Sockets opened on that thread stay in that
/// namespace for their whole life, wherever they are used from afterwards.
/// </summary>
public static class NetNs
{
    public static T Run<T>(string ns, Func<T> function)
    {
        using var handle = File.OpenHandle(Ip.PathOf(ns), FileMode.Open, FileAccess.Read);
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                // The thread ends with the namespace it entered; no other code ever runs on it.
                Libc.Setns(handle);
                result = function();
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        {
            IsBackground = true,
            Name = "netns " + ns,
        };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw new IOException($"in network namespace {ns}: {failure.Message}", failure);
        }

        return result;
    }

    /// <summary>
    /// Runs <paramref name="function"/> inside each of <paramref name="namespaces"/> in turn, on one thread
    /// (a check of a hundred namespaces costs one thread, not a hundred); null for a namespace that is gone.
    /// </summary>
    public static IReadOnlyList<T?> RunEach<T>(IReadOnlyList<string> namespaces, Func<string, T> function)
        where T : class
    {
        var results = new T?[namespaces.Count];
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            for (var i = 0; i < namespaces.Count && failure is null; i++)
            {
                try
                {
                    using var handle = File.OpenHandle(Ip.PathOf(namespaces[i]), FileMode.Open, FileAccess.Read);
                    Libc.Setns(handle);
                    results[i] = function(namespaces[i]);
                }
                catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
                {
                    // Deleted since it was listed: nothing of it to read.
                }
                catch (Exception e)
                {
                    failure = new IOException($"in network namespace {namespaces[i]}: {e.Message}", e);
                }
            }
        })
        {
            IsBackground = true,
            Name = "netns each",
        };
        thread.Start();
        thread.Join();
        return failure is null ? results : throw failure;
    }

    /// <summary>Writes a sysctl of the namespace, e.g. net/ipv4/ip_forward.</summary>
    public static void SetSysctl(string ns, string key, string value) =>
        Run(ns, () =>
        {
            File.WriteAllText(Path.Combine("/proc/sys", key), value);
            return true;
        });

    public static string ReadSysctl(string ns, string key) =>
        Run(ns, () => File.ReadAllText(Path.Combine("/proc/sys", key)).Trim());

    /// <summary>The namespace's identity as /proc/PID/ns/net shows it, e.g. "net:[4026532281]".</summary>
    /// <remarks>Read from a thread inside the namespace: a handle opened through /run/netns reads back as that path.</remarks>
    public static string Identity(string ns) =>
        Run(ns, () => new FileInfo("/proc/thread-self/ns/net").LinkTarget)
            ?? throw new IOException($"cannot read the identity of network namespace {ns}");
}
