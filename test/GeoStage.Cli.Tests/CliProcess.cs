using System.Diagnostics;
using System.Text;
using GeoStage.Testing;

namespace GeoStage.Cli.Tests;

/// <summary>How one run of the CLI exited and what it printed.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The non-empty lines of stderr.</summary>
    public IReadOnlyList<string> ErrorLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// The real CLI as a child process, <c>dotnet geostage.dll ARGS</c>, with GEOSTAGE_STATE_DIR pointing at a
/// private state directory. Stdin is closed; stdout and stderr are collected as they come, so a test can
/// wait for a progress line before the process ends.
/// Concurrency: the two pumps append while the test reads; one lock guards both buffers.
/// </summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _lock = new();
    private readonly Task _pumps;

    private CliProcess(ProcessStartInfo info)
    {
        _process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {info.FileName}");
        _process.StandardInput.Close();
        _pumps = Task.WhenAll(PumpAsync(_process.StandardOutput, _stdout), PumpAsync(_process.StandardError, _stderr));
    }

    /// <summary>The path of geostage.dll, copied next to the tests by the project reference.</summary>
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "geostage.dll");

    /// <summary>The dotnet host running these tests, so that the CLI runs on the same runtime.</summary>
    public static string Dotnet =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : Machine.FindTool("dotnet") ?? "dotnet";

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Stderr
    {
        get
        {
            lock (_lock)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <param name="stateDir">GEOSTAGE_STATE_DIR for the run.</param>
    /// <param name="args">The CLI's arguments.</param>
    /// <param name="environment">More environment variables (GEOSTAGE_OPENVPN, HOME).</param>
    /// <param name="prefix">A command that runs dotnet, e.g. setpriv with its options.</param>
    public static CliProcess Start(string stateDir, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, IReadOnlyList<string>? prefix = null)
    {
        string[] command = [.. prefix ?? [], Dotnet, Dll, .. args];
        var info = new ProcessStartInfo(command[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in command.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["GEOSTAGE_STATE_DIR"] = stateDir;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return new CliProcess(info);
    }

    public static async Task<CliResult> RunAsync(string stateDir, IEnumerable<string> args, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null, IReadOnlyList<string>? prefix = null)
    {
        using var cli = Start(stateDir, args, environment, prefix);
        return await cli.WaitAsync(timeout);
    }

    /// <summary>Waits for the exit and the end of its output; kills the process (and what it started) at the timeout.</summary>
    public async Task<CliResult> WaitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
            await _pumps.WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"geostage did not finish in {timeout.TotalSeconds:0} s and was killed; it printed:\n{Snapshot(-1)}");
        }

        return Snapshot(_process.ExitCode);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private CliResult Snapshot(int exitCode)
    {
        lock (_lock)
        {
            return new CliResult(exitCode, _stdout.ToString(), _stderr.ToString());
        }
    }

    private async Task PumpAsync(StreamReader reader, StringBuilder into)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (_lock)
            {
                into.Append(buffer, 0, read);
            }
        }
    }
}
