using GeoStage.Core.Model;
using Xunit;
using static GeoStage.Core.Tests.Workloads.WorkloadFiles;

namespace GeoStage.Core.Tests.Workloads;

/// <summary>The shape of a workloads file and the values of health, rollout and their defaults.</summary>
public sealed class WorkloadFieldTests
{
    [Fact]
    public void Load_MinimalWorkload_GetsTheDefaults()
    {
        var workload = LoadOne("""
            workloads:
              - name: web
                command: /bin/sh
            """);

        Assert.Equal(("web", "1", "/bin/sh"), (workload.Name, workload.Version, workload.Command));
        Assert.Empty(workload.Args);
        Assert.Empty(workload.Env);
        Assert.Null(workload.Health);
        Assert.Equal(1, workload.MaxUnavailable);
        Assert.Equal(TimeSpan.FromSeconds(30), workload.HealthTimeout);
        Assert.Empty(workload.Ports);
        Assert.Null(workload.Placement.PerSite);
        Assert.Equal(8, workload.Select(Seed).Count);
    }

    [Fact]
    public void Load_HealthAndRollout_AreRead()
    {
        var workload = LoadOne("""
            workloads:
              - name: web
                version: 2.1
                command: /bin/sh
                health: { tcp: 8080, interval: 250ms, timeout: 2s }
                rollout: { maxUnavailable: 2, healthTimeout: 1m }
            """);

        Assert.Equal("2.1", workload.Version);
        Assert.Equal((HealthKind.Tcp, 8080), (workload.Health!.Kind, workload.Health.Port));
        Assert.Equal((TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2)), (workload.Health.Interval, workload.Health.Timeout));
        Assert.Equal((2, TimeSpan.FromMinutes(1)), (workload.MaxUnavailable, workload.HealthTimeout));
    }

    [Fact]
    public void Load_HealthDefaults_AreHalfASecondAndOneSecond()
    {
        var workload = LoadOne("""
            workloads:
              - name: web
                command: /bin/sh
                health: { command: /bin/true }
            """);

        Assert.Equal(HealthKind.Command, workload.Health!.Kind);
        Assert.Equal(["/bin/true"], workload.Health.Command);
        Assert.Equal((TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1)), (workload.Health.Interval, workload.Health.Timeout));
    }

    [Fact]
    public void Load_HealthWithNoKind_AsksForExactlyOne()
    {
        var error = SingleError("""
            workloads:
              - name: web
                command: /bin/sh
                health:
                  interval: 1s
            """);

        AssertError(error, 5, 7, "workloads[0].health", "give exactly one of tcp: PORT, http: URL or command: [PROGRAM, ARGS...]");
    }

    [Fact]
    public void Load_HealthWithTwoKinds_AsksForExactlyOne()
    {
        var error = SingleError("""
            workloads:
              - name: web
                command: /bin/sh
                health: { tcp: 80, http: "http://{{node.address}}/" }
            """);

        AssertError(error, 4, 13, "workloads[0].health", "give exactly one of tcp: PORT, http: URL or command");
    }

    [Fact]
    public void Load_HealthHttpThatIsNotHttp_IsAnError()
    {
        var error = SingleError("""
            workloads:
              - name: web
                command: /bin/sh
                health: { http: "https://{{node.address}}:8443/" }
            """);

        AssertError(error, 4, 21, "workloads[0].health.http", "is not an http:// URL, e.g. http://{{node.address}}:8080/status");
    }

    [Fact]
    public void Load_HealthTcpThatIsNotAPort_IsAnError()
    {
        var error = SingleError("""
            workloads:
              - name: web
                command: /bin/sh
                health: { tcp: 70000 }
            """);

        AssertError(error, 4, 20, "workloads[0].health.tcp", "'70000' is not a TCP port (1 to 65535)");
    }

    [Fact]
    public void Load_BadDurations_AreEachAnError()
    {
        var errors = Errors("""
            workloads:
              - name: web
                command: /bin/sh
                health:
                  tcp: 8080
                  interval: 10
                  timeout: -1s
                rollout:
                  healthTimeout: s
            """);

        Assert.Equal(
            [
                (6, 17, "workloads[0].health.interval", "'10' is not a duration; write e.g. 500ms, 10s or 2m"),
                (7, 16, "workloads[0].health.timeout", "'-1s' is not a duration; write e.g. 500ms, 10s or 2m"),
                (9, 22, "workloads[0].rollout.healthTimeout", "'s' is not a duration; write e.g. 500ms, 10s or 2m"),
            ],
            errors.Select(e => (e.Line, e.Column, e.Path, e.Message)));
    }

    [Fact]
    public void Load_DurationsBeyondADay_AreAnError()
    {
        var errors = Errors("""
            workloads:
              - name: web
                command: /bin/sh
                health: { tcp: 8080, timeout: 1000h }
                rollout: { healthTimeout: 24h }
            """);

        AssertError(Assert.Single(errors), 4, 35, "workloads[0].health.timeout", "'1000h' is too long; write at most 24h");
    }

    [Fact]
    public void Load_HealthDurationsOutOfTheirRange_AreEachAnError()
    {
        var errors = Errors("""
            workloads:
              - name: web
                command: /bin/sh
                health:
                  tcp: 8080
                  interval: 0.0001ms
                  timeout: 10m
                rollout:
                  healthTimeout: 1ms
            """);

        Assert.Equal(
            [
                (6, 17, "workloads[0].health.interval", "'0.0001ms' is out of range; write 50ms to 1h"),
                (7, 16, "workloads[0].health.timeout", "'10m' is out of range; write 10ms to 5m"),
                (9, 22, "workloads[0].rollout.healthTimeout", "'1ms' is out of range; write 100ms to 24h"),
            ],
            errors.Select(e => (e.Line, e.Column, e.Path, e.Message)));
    }

    [Fact]
    public void Load_HealthDurationsAtTheirBounds_AreAccepted()
    {
        var health = LoadOne("""
            workloads:
              - name: web
                command: /bin/sh
                health: { tcp: 8080, interval: 50ms, timeout: 10ms }
            """).Health!;

        Assert.Equal((TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(10)), (health.Interval, health.Timeout));
    }

    [Fact]
    public void Load_MaxUnavailableZero_IsAnError()
    {
        var error = SingleError("""
            workloads:
              - name: web
                command: /bin/sh
                rollout: { maxUnavailable: 0 }
            """);

        AssertError(error, 4, 32, "workloads[0].rollout.maxUnavailable", "'0' is not a positive whole number");
    }

    [Fact]
    public void Load_UnknownKeyInAWorkload_ListsTheAllowedKeys()
    {
        var error = SingleError("""
            workloads:
              - name: web
                command: /bin/sh
                replicas: 3
            """);

        AssertError(error, 4, 5, "workloads[0]", "unknown key 'replicas'; allowed here: name, version, command, args, env, placement, health, rollout, ports");
    }

    [Fact]
    public void Load_UnknownKeyInPlacement_SuggestsTheNearest()
    {
        var error = SingleError("""
            workloads:
              - name: web
                command: /bin/sh
                placement: { site: [a] }
            """);

        AssertError(error, 4, 18, "workloads[0].placement", "unknown key 'site' (did you mean 'sites'?); allowed here: labels, sites, nodes, perSite");
    }

    [Fact]
    public void Load_UnknownKeyInHealth_ListsTheAllowedKeys()
    {
        var error = SingleError("""
            workloads:
              - name: web
                command: /bin/sh
                health: { tcp: 80, period: 1s }
            """);

        AssertError(error, 4, 24, "workloads[0].health", "unknown key 'period'; allowed here: tcp, http, command, interval, timeout");
    }

    [Fact]
    public void Load_UnknownKeyInRollout_ListsTheAllowedKeys()
    {
        var error = SingleError("""
            workloads:
              - name: web
                command: /bin/sh
                rollout: { maxSurge: 1 }
            """);

        AssertError(error, 4, 16, "workloads[0].rollout", "unknown key 'maxSurge'; allowed here: maxUnavailable, healthTimeout");
    }

    [Fact]
    public void Load_DuplicateNames_PointAtTheSecond()
    {
        var error = SingleError("""
            workloads:
              - name: web
                command: /bin/sh
              - name: web
                command: /bin/sh
            """);

        AssertError(error, 4, 11, "workloads[1].name", "workload 'web' is already defined at workloads[0]; names must be unique");
    }

    [Fact]
    public void Load_NameThatIsNotALabel_IsAnError()
    {
        var error = SingleError("""
            workloads:
              - name: Web_1
                command: /bin/sh
            """);

        AssertError(error, 2, 11, "workloads[0].name", "'Web_1' is not a DNS-1123 label");
    }

    [Fact]
    public void Load_WorkloadWithoutCommand_PointsAtTheEntry()
    {
        var error = SingleError("""
            workloads:
              - name: web
                args: [x]
            """);

        AssertError(error, 2, 5, "workloads[0]", "missing 'command': add the program to run");
    }

    [Fact]
    public void Load_FileWithoutWorkloads_AsksForThem()
    {
        var error = SingleError("""
            name: seed
            nodes: []
            """);

        AssertError(error, 1, 1, "", "missing 'workloads': add a list of workloads, each with name and command");
    }

    [Fact]
    public void Load_EmptyWorkloadsList_IsAnError()
    {
        var error = SingleError("workloads: []\n");

        AssertError(error, 1, 12, "workloads", "'workloads' is empty: add at least one entry");
    }

    [Fact]
    public void Load_EmptyText_AsksForAMapping()
    {
        AssertError(SingleError(""), 1, 1, "", "must be a YAML mapping with a 'workloads' list");
    }

    [Fact]
    public void Load_InvalidYaml_IsOneError()
    {
        var error = SingleError("""
            workloads:
              - name: web
               command: /bin/sh
            """);

        Assert.Equal(FileName, error.File);
        Assert.StartsWith("invalid YAML: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownTopLevelKey_IsAnError()
    {
        var error = SingleError("""
            workload:
              - name: web
            workloads:
              - name: web
                command: /bin/sh
            """);

        AssertError(error, 1, 1, "", "unknown key 'workload' (did you mean 'workloads'?)");
    }
}
