using System.Globalization;
using System.Runtime.InteropServices;

namespace GeoStage.Bench;

/// <summary>What the figures were measured on.</summary>
internal sealed record MachineInfo(
    DateTimeOffset Date,
    string Cpus,
    string CpuModel,
    string Memory,
    string Kernel,
    string OpenVpn,
    string DotNet)
{
    public static async Task<MachineInfo> ReadAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        var nproc = (await ChildProcess.TryOutputAsync("nproc", [], cancellationToken).ConfigureAwait(false))?.Trim();
        var openVpn = (await ChildProcess.TryOutputAsync(ChildProcess.Which("openvpn") ?? "openvpn", ["--version"], cancellationToken).ConfigureAwait(false))
            ?.Split('\n').FirstOrDefault()?.Trim();
        var sdk = (await ChildProcess.TryOutputAsync("dotnet", ["--version"], cancellationToken).ConfigureAwait(false))?.Trim();
        var memKb = ProcLine("/proc/meminfo", "MemTotal") is { } mem && long.TryParse(mem.Split(' ')[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var kb) ? kb : 0;
        return new MachineInfo(
            time.GetUtcNow(),
            nproc ?? Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture),
            ProcLine("/proc/cpuinfo", "model name") ?? "unknown",
            string.Create(CultureInfo.InvariantCulture, $"{memKb / 1024.0 / 1024.0:0.0} GiB"),
            File.ReadAllText("/proc/sys/kernel/osrelease").Trim(),
            openVpn ?? "openvpn not found",
            $"{RuntimeInformation.FrameworkDescription} (SDK {sdk ?? "unknown"})");
    }

    /// <summary>The 1, 5 and 15 minute load averages now: other work on the machine distorts wall times.</summary>
    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    /// <summary>The value of the first "key : value" line of a /proc file.</summary>
    private static string? ProcLine(string path, string key) =>
        File.ReadLines(path)
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2 && parts[0].Trim() == key)
            .Select(parts => parts[1].Trim())
            .FirstOrDefault();
}
