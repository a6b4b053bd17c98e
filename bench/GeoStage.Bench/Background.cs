using System.Diagnostics;

namespace GeoStage.Bench;

/// <summary>
/// A long-running tool the benchmark starts (haproxy, keepalived) inside a node's namespace through
/// <c>ip netns exec</c>; ended through its own Process object with its descendants, never by name.
/// </summary>
internal sealed class Background : IDisposable
{
    private readonly Process _process;

    private Background(Process process) => _process = process;

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public static Background Start(string ns, string file, IReadOnlyList<string> args, string log)
    {
        var info = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["netns", "exec", ns, file, .. args])
        {
            info.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new Background(process);
    }

    /// <summary>SIGKILL to the process and its descendants (keepalived's VRRP child too).</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private static void Append(string log, string? line)
    {
        if (line is not null)
        {
            lock (typeof(Background))
            {
                File.AppendAllText(log, line + "\n");
            }
        }
    }
}
