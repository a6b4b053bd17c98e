using System.Diagnostics;
using GeoStage.Control.Api;
using GeoStage.Control.Client;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Control.Tests;

/// <summary>'geostage serve' run by hand from a shell whose umask is 022: what it creates is still private.</summary>
public sealed class ServeModeTests
{
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    [RootFact("openvpn", "nsenter", "setsid")]
    public async Task Serve_UnderUmask022_EveryFileAndDirectoryOfTheEnvironmentIsPrivate()
    {
        await using var env = await DaemonEnv.StartAsync(Topologies.TwoSites(TempState.UniqueName("sm")));
        env.KillDaemon();
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-c", "umask 022; exec \"$@\"", "serve-umask", "dotnet", Path.Combine(AppContext.BaseDirectory, "geostage.dll"), "serve", "--name", env.Name })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["GEOSTAGE_STATE_DIR"] = env.Store.Root;
        using var serve = Process.Start(info)!;
        serve.BeginErrorReadLine();
        serve.BeginOutputReadLine();
        try
        {
            using var client = new ControlClient(env.Store, env.Name, TimeSpan.FromSeconds(60));
            await Wait.UntilAsync(() => AnswersAsync(client), TimeSpan.FromSeconds(30), "the daemon's API");
            await env.ApplyAsync(Workloads.Sleeper());
            await env.WaitAsync("sleeper", w => w.Status == "ready", TimeSpan.FromSeconds(60), "sleeper ready");

            var dir = env.Store.DirectoryOf(env.Name);
            var open = Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories)
                .Where(path => (File.GetUnixFileMode(path) & GroupOrOther) != 0)
                .Select(path => $"{Path.GetRelativePath(dir, path)} {Convert.ToString((int)File.GetUnixFileMode(path), 8)}")
                .ToList();
            Assert.True(open.Count == 0, $"readable beyond root: {string.Join(", ", open)}");
            Assert.NotEmpty(Directory.EnumerateFiles(dir, "output.log", SearchOption.AllDirectories));
        }
        finally
        {
            serve.Kill();
            serve.WaitForExit(10_000);
        }
    }

    private static async Task<bool> AnswersAsync(ControlClient client)
    {
        try
        {
            await client.GetAsync<HealthResponse>("v1/health", CancellationToken.None);
            return true;
        }
        catch (DaemonNotRunningException)
        {
            return false;
        }
    }
}
