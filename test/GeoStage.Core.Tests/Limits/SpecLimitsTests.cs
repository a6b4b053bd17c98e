using GeoStage.Core.Specs;
using GeoStage.Core.Validation;
using Xunit;
using static GeoStage.Core.Tests.SpecFiles;

namespace GeoStage.Core.Tests.Limits;

/// <summary>Input beyond the reader's bounds: refused with a positioned error, and the process lives on.</summary>
public sealed class SpecLimitsTests
{
    private const string Head = "name: x\nwan: 10.4.0.0/16\n";

    [Fact]
    public void Load_ThirtyThousandNestedLists_RefusedAtTheNestingBound()
    {
        // Before the bound this overflowed the stack in YamlDotNet's recursive loader and ended the process.
        var error = SingleError(Head + "sites: " + new string('[', 30_000));

        AssertError(error, 3, 8 + SpecLimits.MaxDepth - 1, "", $"nesting deeper than {SpecLimits.MaxDepth} levels");
    }

    [Fact]
    public void ReadWorkloads_ThirtyThousandNestedMappings_RefusedAtTheNestingBound()
    {
        var text = "workloads:\n  - name: w\n    command: /bin/sh\n    env: " + string.Concat(Enumerable.Repeat("{a: ", 30_000));

        var error = Assert.Single(SpecReader.ReadWorkloads(text, SpecFiles.File).Errors);

        Assert.Equal((SpecFiles.File, 4), (error.File, error.Line));
        Assert.Contains($"nesting deeper than {SpecLimits.MaxDepth} levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadWorkloads_ThirtyThousandNestedBlockLists_RefusedAtTheNestingBound()
    {
        var text = "workloads:\n" + string.Concat(Enumerable.Range(0, 1_000).Select(i => new string(' ', i) + "-\n"));

        var error = Assert.Single(SpecReader.ReadWorkloads(text, SpecFiles.File).Errors);

        Assert.Contains("nesting deeper than", error.Message, StringComparison.Ordinal);
        Assert.True(error.Line > 1);
    }

    [Fact]
    public void Load_BillionLaughs_RefusedAtTheExpansionBound()
    {
        var lines = new List<string> { "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]" };
        for (var i = 1; i < 10; i++)
        {
            lines.Add($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]");
        }

        var error = SingleError(string.Join("\n", lines));

        Assert.Equal(SpecFiles.File, error.File);
        Assert.InRange(error.Line, 6, 10);
        Assert.Contains("expands (aliases included) to more than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AliasesWithinTheBound_StillRead()
    {
        var model = Load(Head + """
            sites:
              - &site { name: a, cidr: 192.168.10.0/24, router: 10.4.0.90, location: &where Berlin }
              - { name: b, cidr: 192.168.20.0/24, router: 10.4.0.91, location: *where }
            """);

        Assert.Equal(["Berlin", "Berlin"], model.Sites.Select(s => s.Location));
    }

    [Fact]
    public void Load_FiftyMegabyteLocation_RefusedWithoutParsing()
    {
        var error = SingleError(Head + "sites:\n  - { name: a, cidr: 192.168.10.0/24, router: 10.4.0.90, location: " + new string('x', 50 << 20) + " }\n");

        AssertError(error, 1, 1, "", "larger than 4 MiB");
    }

    [Fact]
    public void Load_ScalarAboveTheScalarBound_RefusedAtTheScalar()
    {
        var error = SingleError(Head + "sites:\n  - location: " + new string('x', SpecLimits.MaxScalarChars + 1) + "\n");

        AssertError(error, 4, 15, "", $"a value of {SpecLimits.MaxScalarChars + 1:N0} characters");
    }

    [Fact]
    public void Load_LocationAboveItsFieldBound_RefusedAtTheLocation()
    {
        var error = SingleError(Head + "sites:\n  - { name: a, cidr: 192.168.10.0/24, router: 10.4.0.90, location: " + new string('x', 300) + " }\n");

        AssertError(error, 4, 68, "sites[0].location", $"a value of 300 characters; at most {SpecLimits.MaxTextChars} are allowed here");
    }

    [Fact]
    public void Load_MoreSitesThanTheCountBound_RefusedAtTheList()
    {
        var sites = string.Concat(Enumerable.Range(0, SpecLimits.MaxSites + 1).Select(i => $"  - {{ name: s{i} }}\n"));

        var error = SingleError(Head + "sites:\n" + sites);

        AssertError(error, 4, 3, "sites", $"{SpecLimits.MaxSites + 1:N0} entries; at most {SpecLimits.MaxSites:N0} are allowed here");
    }

    [Fact]
    public void ReadWorkloads_MoreArgsThanTheCountBound_RefusedAtTheList()
    {
        var args = string.Join(", ", Enumerable.Repeat("x", SpecLimits.MaxEntries + 1));

        var error = Assert.Single(SpecReader.ReadWorkloads($"workloads:\n  - {{ name: w, command: /bin/sh, args: [{args}] }}\n", SpecFiles.File).Errors);

        Assert.Equal((2, 40, "workloads[0].args"), (error.Line, error.Column, error.Path));
        Assert.Contains("entries; at most 256 are allowed here", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TwentyThousandUnknownKeys_ReportsAHundredAndSaysThereAreMore()
    {
        var text = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"k{i}: 1\n"));

        var errors = Errors(text);

        Assert.Equal(101, errors.Count);
        Assert.Contains("more than 100 errors", errors[^1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_EventsYamlDotNetsLoaderRejectsWithArgumentException_ReportedAsInvalidYaml()
    {
        // Found by the fuzz test (run seed 7, case 193): the loader threw ArgumentException past the reader.
        const string Text = "\0\0: sites: 192.168.10.0/24workloads{{\"[|*a}}!!str %YAML 1.2\nname-0  {{\n";

        Assert.Contains("invalid YAML", SingleError(Text).Message, StringComparison.Ordinal);
        Assert.Contains("invalid YAML", Assert.Single(SpecReader.ReadWorkloads(Text, SpecFiles.File).Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ValueWithLineBreaksQuotedInAnError_StaysOneLine()
    {
        // Found by the fuzz test (run seed 24, case 53).
        var error = SingleError("name: x\nwan: |\n  x\n  y\nsites: [{ name: a, cidr: 192.168.10.0/24, router: 10.4.0.90 }]\n");

        AssertError(error, 2, 6, "wan", "'x\\ny\\n' is not a CIDR");
        Assert.DoesNotContain('\n', error.ToString());
    }

    [Fact]
    public void Read_DevZero_RefusedAfterTheSizeBound()
    {
        var error = Assert.Single(Assert.Throws<SpecException>(() => SpecFile.Read("/dev/zero")).Errors);

        Assert.Equal(("/dev/zero", 1, 1), (error.File, error.Line, error.Column));
        Assert.Contains("larger than 4 MiB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_FifoWithAnEndlessWriter_RefusedAfterTheSizeBound()
    {
        var dir = Directory.CreateTempSubdirectory("geostage-fifo-");
        try
        {
            var fifo = Path.Combine(dir.FullName, "spec.yaml");
            using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
            {
                await mkfifo.WaitForExitAsync();
                Assert.Equal(0, mkfifo.ExitCode);
            }

            var writer = Task.Run(() => WriteForever(fifo));

            var error = Assert.Single(Assert.Throws<SpecException>(() => SpecFile.Read(fifo)).Errors);

            Assert.Contains("larger than 4 MiB", error.Message, StringComparison.Ordinal);
            await writer.WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Read_FileAtTheBound_Read()
    {
        var file = Path.GetTempFileName();
        try
        {
            System.IO.File.WriteAllText(file, "# " + new string('x', SpecLimits.MaxFileBytes - 3) + "\n");

            Assert.Equal(SpecLimits.MaxFileBytes, SpecFile.Read(file).Length);
        }
        finally
        {
            System.IO.File.Delete(file);
        }
    }

    /// <summary>Writes until the reader goes away (EPIPE).</summary>
    private static void WriteForever(string fifo)
    {
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)'x');
        try
        {
            using var stream = new FileStream(fifo, FileMode.Open, FileAccess.Write);
            while (true)
            {
                stream.Write(chunk);
            }
        }
        catch (IOException)
        {
            // The reader stopped reading: what the test wanted.
        }
    }
}
