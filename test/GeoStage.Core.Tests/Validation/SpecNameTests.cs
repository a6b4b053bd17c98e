using Xunit;
using static GeoStage.Core.Tests.SpecFiles;

namespace GeoStage.Core.Tests.Validation;

public sealed class SpecNameTests
{
    [Fact]
    public void Load_EnvironmentNameWithUpperCase_IsNotALabel()
    {
        var error = SingleError("""
            name: Seed
            wan: 10.4.0.0/16
            sites: [{ name: a, cidr: 192.168.10.0/24, router: 10.4.0.1 }]
            """);

        AssertError(error, 1, 7, "name", "'Seed' is not a DNS-1123 label");
    }

    [Fact]
    public void Load_SiteNameWithUnderscore_IsNotALabel()
    {
        var error = SingleError("""
            name: x
            wan: 10.4.0.0/16
            sites:
              - name: site_a
                cidr: 192.168.10.0/24
                router: 10.4.0.1
            """);

        AssertError(error, 4, 11, "sites[0].name", "'site_a' is not a DNS-1123 label");
    }

    [Fact]
    public void Load_NodeNameOf64Characters_IsTooLong()
    {
        var name = new string('n', 64);
        var error = SingleError($$"""
            name: x
            wan: 10.4.0.0/16
            sites: [{ name: a, cidr: 192.168.10.0/24, router: 10.4.0.1 }]
            nodes:
              - { site: a, name: {{name}} }
            """);

        AssertError(error, 5, 22, "nodes[0].name", "is 64 characters long; a name has at most 63");
    }

    [Fact]
    public void Load_NodeNameOf63Characters_IsAccepted()
    {
        var name = new string('n', 63);
        var model = Load($$"""
            name: x
            wan: 10.4.0.0/16
            sites: [{ name: a, cidr: 192.168.10.0/24, router: 10.4.0.1 }]
            nodes:
              - { site: a, name: {{name}} }
            """);

        Assert.Equal(name, Assert.Single(model.Nodes).Name);
    }

    [Fact]
    public void Load_DuplicateSiteName_IsReportedAtTheSecond()
    {
        var error = SingleError("""
            name: x
            wan: 10.4.0.0/16
            sites:
              - { name: a, cidr: 192.168.10.0/24, router: 10.4.0.1 }
              - { name: a, cidr: 192.168.20.0/24, router: 10.4.0.2 }
            nodes:
              - { name: n1, site: a }
            """);

        AssertError(error, 5, 13, "sites[1].name", "site 'a' is already defined at sites[0]");
    }

    [Fact]
    public void Load_DuplicateNodeName_IsReportedAtTheSecond()
    {
        var error = SingleError("""
            name: x
            wan: 10.4.0.0/16
            sites: [{ name: a, cidr: 192.168.10.0/24, router: 10.4.0.1 }]
            nodes:
              - { name: n1, site: a }
              - { name: n2, site: a }
              - { name: n1, site: a }
            """);

        AssertError(error, 7, 13, "nodes[2].name", "node 'n1' is already defined at nodes[0]");
    }
}
