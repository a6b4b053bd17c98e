using System.Globalization;
using GeoStage.Core.Specs;
using GeoStage.Core.Validation;
using GeoStage.Testing;
using Xunit;

namespace GeoStage.Cli.Tests;

/// <summary>Input beyond GeoStage's bounds, given to the CLI: one positioned error, exit 2, nothing created.</summary>
public sealed class InputLimitTests
{
    [RootFact]
    public async Task Up_ThirtyThousandNestedLevels_RefusedAtTheNestingBoundAndNothingCreated()
    {
        await using var sandbox = new CliSandbox("ln");
        var file = sandbox.WriteFile("deep.yaml", $"name: {sandbox.Name}\nwan: 10.9.0.0/16\nsites: " + string.Concat(Enumerable.Repeat("{a: [", 15_000)));

        var result = await sandbox.RunAsync("up", file);

        // Before the bound: a stack overflow, exit 134.
        CliAssert.Exit(ExitCodes.InvalidSpec, result);
        Assert.StartsWith($"{file}:3:87: nesting deeper than {SpecLimits.MaxDepth} levels", result.ErrorLines[0], StringComparison.Ordinal);
        Assert.Empty(sandbox.Namespaces());
        Assert.True(sandbox.StateDirIsEmpty(), "up of a too deeply nested file left something in the state directory");
    }

    [RootFact]
    public async Task Down_FileNestedThirtyThousandLevels_RefusedAtTheNestingBound()
    {
        await using var sandbox = new CliSandbox("ld");
        var file = sandbox.WriteFile("deep.yaml", "name: x\nsites: " + string.Concat(Enumerable.Repeat("{a: ", 30_000)));

        var result = await sandbox.RunAsync("down", file);

        CliAssert.Exit(ExitCodes.InvalidSpec, result);
        Assert.Contains($"{file}:2:", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("nesting deeper than", result.Stderr, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task Up_DevZero_RefusedAfterTheSizeBoundAndNothingCreated()
    {
        await using var sandbox = new CliSandbox("lz");

        var result = await sandbox.RunAsync("up", "/dev/zero");

        // Before the bound: OutOfMemory after 39 s.
        CliAssert.Exit(ExitCodes.InvalidSpec, result);
        Assert.StartsWith("/dev/zero:1:1: the file is larger than 4 MiB", result.ErrorLines[0], StringComparison.Ordinal);
        Assert.Empty(sandbox.Namespaces());
        Assert.True(sandbox.StateDirIsEmpty(), "up /dev/zero left something in the state directory");
    }

    [RootFact]
    public async Task Up_MeshLargerThanThisHostHolds_RefusedInValidationAndNothingCreated()
    {
        await using var sandbox = new CliSandbox("lm");
        var sites = SitesBeyondThisHost();
        var file = sandbox.WriteFile("big.yaml", Mesh(sandbox.Name, sites));

        var result = await sandbox.RunAsync("up", file);

        CliAssert.Exit(ExitCodes.InvalidSpec, result);
        var tunnels = sites * (sites - 1) / 2;
        Assert.StartsWith(
            string.Create(CultureInfo.InvariantCulture, $"{file}:4:3: sites: {sites:N0} sites in an OpenVPN mesh need {tunnels:N0} tunnels and {2 * tunnels:N0} openvpn processes"),
            result.ErrorLines[0],
            StringComparison.Ordinal);
        Assert.Contains("Use fewer sites (at most ", result.ErrorLines[0], StringComparison.Ordinal);
        Assert.Empty(sandbox.Namespaces());
        Assert.True(sandbox.StateDirIsEmpty(), "up of a mesh too large for the host left something in the state directory");
    }

    /// <summary>300 sites, as in the report, or more on a host that could hold 300 (up to the count bound).</summary>
    private static int SitesBeyondThisHost()
    {
        var available = HostLimits.Read().ProcessesAvailable;
        var sites = 300;
        while ((long)sites * (sites - 1) <= available && sites < SpecLimits.MaxSites)
        {
            sites++;
        }

        return sites;
    }

    private static string Mesh(string name, int sites) =>
        $"name: {name}\nwan: 10.200.0.0/16\nsites:\n" + string.Concat(Enumerable.Range(0, sites).Select(i =>
            string.Create(CultureInfo.InvariantCulture, $"  - {{ name: s{i}, cidr: 172.{16 + (i / 256)}.{i % 256}.0/24, router: 10.200.{i / 250}.{(i % 250) + 1} }}\n")));
}
