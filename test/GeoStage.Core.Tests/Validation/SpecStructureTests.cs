using GeoStage.Core.Validation;
using Xunit;
using static GeoStage.Core.Tests.SpecFiles;

namespace GeoStage.Core.Tests.Validation;

/// <summary>What the reader catches: YAML syntax, unknown and repeated keys, missing keys, wrong shapes.</summary>
public sealed class SpecStructureTests
{
    [Fact]
    public void Load_UnclosedBracket_ReportsOneInvalidYamlError()
    {
        var error = SingleError("""
            name: x
            wan: 10.4.0.0/16
            sites: [ { name: a, cidr: 192.168.10.0/24
            nodes: []
            """);

        AssertError(error, 3, 8, "", "invalid YAML: cannot parse past here; look for an unclosed '[' or '{'");
    }

    [Fact]
    public void Load_UnclosedBraceAtTheEnd_ReportsOneInvalidYamlError()
    {
        var error = SingleError("""
            name: x
            wan: 10.4.0.0/16
            sites: [ { name: a
            """);

        AssertError(error, 4, 1, "", "invalid YAML: While parsing a flow mapping, did not find expected ',' or '}'");
    }

    [Fact]
    public void Load_BadIndentation_ReportsOneInvalidYamlErrorAtTheIndentedLine()
    {
        var error = SingleError("""
            name: x
             wan: 10.4.0.0/16
            sites: []
            """);

        AssertError(error, 2, 5, "", "invalid YAML");
        Assert.DoesNotContain("Line:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_EmptyText_AsksForAMapping()
    {
        AssertError(SingleError(""), 1, 1, "", "must be a YAML mapping");
    }

    [Fact]
    public void Load_TopLevelList_AsksForAMapping()
    {
        AssertError(SingleError("- a\n- b\n"), 1, 1, "", "must be a YAML mapping");
    }

    [Fact]
    public void Load_TwoDocuments_ReportsTheSecond()
    {
        var error = SingleError("""
            name: x
            wan: 10.4.0.0/16
            sites: [{ name: a, cidr: 192.168.10.0/24, router: 10.4.0.1 }]
            ---
            name: y
            """);

        AssertError(error, 5, 1, "", "more than one YAML document");
    }

    [Fact]
    public void Load_UnknownTopLevelKey_ListsTheAllowedKeys()
    {
        var error = SingleError("""
            name: x
            wan: 10.4.0.0/16
            color: blue
            sites: [{ name: a, cidr: 192.168.10.0/24, router: 10.4.0.1 }]
            """);

        AssertError(error, 3, 1, "", "unknown key 'color'; allowed here: name, wan, sites, nodes, overlay");
        Assert.DoesNotContain("did you mean", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MisspelledSiteKey_SuggestsTheKnownKey()
    {
        var errors = Errors("""
            name: x
            wan: 10.4.0.0/16
            sites:
              - name: a
                cidrr: 192.168.10.0/24
                router: 10.4.0.1
            """);

        Assert.Equal(2, errors.Count);
        AssertError(errors[0], 4, 5, "sites[0]", "missing 'cidr'");
        AssertError(errors[1], 5, 5, "sites[0]", "unknown key 'cidrr' (did you mean 'cidr'?); allowed here: name, cidr, router, gateway, location");
    }

    [Fact]
    public void Load_UnknownNodeKey_IsReportedAtTheKey()
    {
        var error = SingleError("""
            name: x
            wan: 10.4.0.0/16
            sites: [{ name: a, cidr: 192.168.10.0/24, router: 10.4.0.1 }]
            nodes:
              - name: n1
                site: a
                ip: 192.168.10.5
            """);

        AssertError(error, 7, 5, "nodes[0]", "unknown key 'ip'; allowed here: name, site, address, labels");
    }

    [Fact]
    public void Load_UnknownOverlayKey_IsReportedAtTheKey()
    {
        var error = SingleError("""
            name: x
            wan: 10.4.0.0/16
            sites: [{ name: a, cidr: 192.168.10.0/24, router: 10.4.0.1 }]
            overlay:
              backend: openvpn
              mtu: 1400
            """);

        AssertError(error, 6, 3, "overlay", "unknown key 'mtu'; allowed here: backend, topology, port");
    }

    [Fact]
    public void Load_DuplicateTopLevelKey_ReportsTheSecondOccurrence()
    {
        var error = SingleError("""
            name: x
            wan: 10.4.0.0/16
            name: y
            sites: [{ name: a, cidr: 192.168.10.0/24, router: 10.4.0.1 }]
            """);

        AssertError(error, 3, 1, "", "Duplicate key name");
    }

    [Fact]
    public void Load_DuplicateSiteKey_ReportsTheSecondOccurrence()
    {
        var error = SingleError("""
            name: x
            wan: 10.4.0.0/16
            sites:
              - name: a
                cidr: 192.168.10.0/24
                router: 10.4.0.1
                cidr: 192.168.20.0/24
            """);

        AssertError(error, 7, 5, "", "Duplicate key cidr");
    }

    [Fact]
    public void Load_MissingTopLevelKeys_AreReportedAtTheFirstKey()
    {
        var errors = Errors("""
            # comments come before the mapping starts
            nodes: []
            """);

        Assert.Equal(3, errors.Count);
        AssertError(errors[0], 2, 1, "", "missing 'name': add the environment's name");
        AssertError(errors[1], 2, 1, "", "missing 'wan'");
        AssertError(errors[2], 2, 1, "", "missing 'sites': add a list with at least one entry");
    }

    [Fact]
    public void Load_MissingSiteCidrAndNodeSite_AreReportedAtTheirEntries()
    {
        var errors = Errors("""
            name: x
            wan: 10.4.0.0/16
            sites:
              - name: a
                router: 10.4.0.1
              - { name: b, cidr: 192.168.20.0/24, router: 10.4.0.2 }
            nodes:
              - name: n1
              - { name: n2, site: b }
            """);

        Assert.Equal(2, errors.Count);
        AssertError(errors[0], 4, 5, "sites[0]", "missing 'cidr': add the site's LAN");
        AssertError(errors[1], 8, 5, "nodes[0]", "missing 'site'");
    }

    [Fact]
    public void Load_NullOrQuotedEmptyRequiredValue_CountsAsMissing()
    {
        var errors = Errors("""
            name:
            wan: ""
            sites:
              - { name: a, cidr: 192.168.10.0/24, router: "" }
            """);

        Assert.Equal(3, errors.Count);
        AssertError(errors[0], 1, 6, "", "missing 'name'");
        AssertError(errors[1], 2, 6, "", "missing 'wan'");
        AssertError(errors[2], 4, 47, "sites[0]", "missing 'router'");
    }

    [Fact]
    public void Load_EmptySiteList_IsAnError()
    {
        var error = SingleError("""
            name: x
            wan: 10.4.0.0/16
            sites: []
            """);

        AssertError(error, 3, 8, "sites", "'sites' is empty");
    }

    [Fact]
    public void Load_ValuesOfTheWrongShape_AreEachReported()
    {
        var errors = Errors("""
            name: [x]
            wan: 10.4.0.0/16
            sites:
              - just-a-string
              - { name: b, cidr: 192.168.20.0/24, router: 10.4.0.2 }
            nodes: foo
            overlay: 5
            """);

        Assert.Equal(4, errors.Count);
        AssertError(errors[0], 1, 7, "name", "expected a single value");
        AssertError(errors[1], 4, 5, "sites[0]", "expected a mapping (a site");
        AssertError(errors[2], 6, 8, "nodes", "'nodes' must be a list");
        AssertError(errors[3], 7, 10, "overlay", "expected a mapping (the overlay");
    }

    [Fact]
    public void Load_ErrorsAllOverTheFile_AreReportedTogetherSortedByPosition()
    {
        var exception = Assert.Throws<SpecException>(() => Load("""
            overlay:
              backend: ipsec
            nodes:
              - { name: n1, site: zz }
            sites:
              - { name: a, cidr: 192.168.10.1/24, router: 10.4.0.1 }
              - { name: B, cidr: 192.168.20.0/24, router: 10.9.0.2 }
            name: x
            wan: 10.4.0.0/16
            extra: true
            """));

        Assert.Equal(
            [
                (2, 12, "overlay.backend"),
                (4, 23, "nodes[0].site"),
                (6, 22, "sites[0].cidr"),
                (7, 13, "sites[1].name"),
                (7, 47, "sites[1].router"),
                (10, 1, ""),
            ],
            exception.Errors.Select(e => (e.Line, e.Column, e.Path)));
        Assert.StartsWith("6 errors:", exception.Message, StringComparison.Ordinal);
        Assert.Contains("test.yaml:10:1: unknown key 'extra'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_WithAndWithoutPath_PrintsFileLineColumn()
    {
        Assert.Equal("f.yaml:3:7: sites[0].cidr: bad", new SpecError("f.yaml", 3, 7, "sites[0].cidr", "bad").ToString());
        Assert.Equal("f.yaml:1:1: bad", new SpecError("f.yaml", 1, 1, "", "bad").ToString());
    }
}
