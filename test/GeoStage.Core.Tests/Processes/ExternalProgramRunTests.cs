using System.Globalization;
using GeoStage.Core.Processes;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Core.Tests.Processes;

/// <summary>Running a real program to its end: its output, its failure, and what a timeout leaves running (nothing).</summary>
public sealed class ExternalProgramRunTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("geostage-run-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task RunAsync_ExitZero_ReturnsStdout()
    {
        Assert.Equal("out\n", await ExternalProgram.RunAsync("/bin/sh", ["-c", "echo out; echo err >&2"], CancellationToken.None));
        Assert.Equal("", await ExternalProgram.RunAsync("/bin/true", [], CancellationToken.None));
    }

    [Fact]
    public async Task RunAsync_Stdin_ReachesTheProgram()
    {
        Assert.Equal("fed in", await ExternalProgram.RunAsync("cat", [], "fed in", CancellationToken.None));
    }

    [Fact]
    public async Task RunAsync_NonZeroExit_ThrowsNamingTheCommandAndItsStderr()
    {
        var failure = await Assert.ThrowsAsync<ToolException>(() => ExternalProgram.RunAsync("/bin/sh", ["-c", "echo no good >&2; exit 3"], CancellationToken.None));

        Assert.Equal("'/bin/sh -c echo no good >&2; exit 3' exited with 3: no good", failure.Message);
        Assert.Equal(3, failure.ExitCode);
        Assert.Equal("/bin/sh -c echo no good >&2; exit 3", failure.Command);
    }

    [Fact]
    public async Task RunAsync_FalseWithNoOutput_ThrowsWithItsExitCode()
    {
        var failure = await Assert.ThrowsAsync<ToolException>(() => ExternalProgram.RunAsync("/bin/false", [], CancellationToken.None));

        Assert.Equal(1, failure.ExitCode);
        Assert.StartsWith("'/bin/false ' exited with 1", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ProgramThatDoesNotExist_ThrowsWin32Exception()
    {
        await Assert.ThrowsAsync<System.ComponentModel.Win32Exception>(() => ExternalProgram.RunAsync(Path.Combine(_dir, "missing"), [], CancellationToken.None));
    }

    [Fact]
    public async Task RunAsync_Timeout_KillsTheProgramAndItsChildrenAndSaysWhich()
    {
        var pidFile = Path.Combine(_dir, "child.pid");
        var info = ExternalProgram.StartInfo("/bin/sh", ["-c", $"sleep 60 & echo $! > {pidFile}; wait"]);

        // Long enough for a loaded machine to start sh and its child, which the test then checks is gone.
        var failure = await Assert.ThrowsAsync<TimeoutException>(() => ExternalProgram.RunAsync(info, stdin: null, TimeSpan.FromSeconds(2), CancellationToken.None));

        Assert.Equal($"'/bin/sh -c sleep 60 & echo $! > {pidFile}; wait' did not finish within 2 s; killed it", failure.Message);
        var child = Pid(pidFile);
        await Wait.UntilAsync(() => Ended(child), TimeSpan.FromSeconds(10), $"the timed-out program's child sleep ({child}) to end");
    }

    [Fact]
    public async Task RunAsync_Cancelled_KillsTheProgramAndThrowsOperationCanceled()
    {
        var pidFile = Path.Combine(_dir, "self.pid");
        using var cancel = new CancellationTokenSource();
        var run = ExternalProgram.RunAsync(ExternalProgram.StartInfo("/bin/sh", ["-c", $"echo $$ > {pidFile}; exec sleep 60"]), stdin: null, timeout: null, cancel.Token);
        await Wait.UntilAsync(() => File.Exists(pidFile) && File.ReadAllText(pidFile).EndsWith('\n'), TimeSpan.FromSeconds(10), "the program's PID file");

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        var pid = Pid(pidFile);
        await Wait.UntilAsync(() => Ended(pid), TimeSpan.FromSeconds(10), $"the cancelled sleep ({pid}) to end");
    }

    [Fact]
    public async Task StartDetached_Command_LeadsItsOwnSessionAndAppendsToAPrivateLog()
    {
        var log = Path.Combine(_dir, "detached.log");
        using var process = ExternalProgram.StartDetached("geostage-test", log, ["/bin/sh", "-c", "echo started; exec sleep 60"]);
        try
        {
            await Wait.UntilAsync(() => File.Exists(log) && File.ReadAllText(log).Contains("started", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the detached program's output in its log");
            await Wait.UntilAsync(() => Comm(process.Id) == "sleep", TimeSpan.FromSeconds(10), "the detached PID to be the program itself");

            Assert.Equal(process.Id, Session(process.Id));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(log));
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static int Pid(string pidFile) => int.Parse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture);

    private static bool Ended(int pid)
    {
        // Gone, or a zombie that nobody here reaps (its parent was killed): either way it runs no more.
        var stat = $"/proc/{pid}/stat";
        try
        {
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)] == 'Z';
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static string? Comm(int pid) => File.Exists($"/proc/{pid}/comm") ? File.ReadAllText($"/proc/{pid}/comm").Trim() : null;

    /// <summary>Field 6 of /proc/PID/stat, the session ID (fields counted after the parenthesised name).</summary>
    private static int Session(int pid)
    {
        var text = File.ReadAllText($"/proc/{pid}/stat");
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[3], CultureInfo.InvariantCulture);
    }
}
