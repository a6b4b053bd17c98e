using Xunit;
using static GeoStage.Core.Tests.Workloads.WorkloadFiles;

namespace GeoStage.Core.Tests.Workloads;

/// <summary>The program of a workload (and of a health command) must exist and be executable when it is deployed.</summary>
public sealed class WorkloadCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("geostage-workloads-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Load_AbsoluteCommandThatDoesNotExist_IsAnError()
    {
        var error = SingleError("""
            workloads:
              - name: web
                command: /no/such/program
            """);

        AssertError(error, 3, 14, "workloads[0].command", "command '/no/such/program' does not exist");
    }

    [Fact]
    public void Load_BareNameNotOnThePath_AsksForAnAbsolutePath()
    {
        var error = SingleError("""
            workloads:
              - name: web
                command: geostage-no-such-program
            """);

        AssertError(error, 3, 14, "workloads[0].command", "command 'geostage-no-such-program' is not on the PATH; give its absolute path or install it");
    }

    [Fact]
    public void Load_FileThatIsNotExecutable_AsksForChmod()
    {
        var program = Script("plain", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        var error = SingleError($"""
            workloads:
              - name: web
                command: {program}
            """);

        AssertError(error, 3, 14, "workloads[0].command", $"'{program}' is not executable (mode 0640); chmod +x it");
    }

    [Fact]
    public void Load_CommandThatIsADirectory_SaysItIsADirectory()
    {
        var error = SingleError($"""
            workloads:
              - name: web
                command: {_dir}
            """);

        AssertError(error, 3, 14, "workloads[0].command", $"'{_dir}' is a directory; give the path of the program inside it");
    }

    [Fact]
    public void Load_HealthCommandThatIsNotExecutable_GivesItsMode()
    {
        var check = Script("check", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var error = SingleError($"""
            workloads:
              - name: web
                command: /bin/sh
                health:
                  command: [{check}]
            """);

        AssertError(error, 5, 17, "workloads[0].health.command[0]", $"'{check}' is not executable (mode 0644); chmod +x it");
    }

    [Fact]
    public void Load_BareNameOnThePath_IsResolvedToItsAbsolutePath()
    {
        var workload = LoadOne("""
            workloads:
              - name: web
                command: sh
            """);

        Assert.True(Path.IsPathRooted(workload.Command), workload.Command);
        Assert.Equal("sh", Path.GetFileName(workload.Command));
        Assert.True(File.Exists(workload.Command));
    }

    [Fact]
    public void Load_BareNameWhoseFirstMatchOnThePathIsNotExecutable_TakesTheExecutableOne()
    {
        var (plain, runnable) = (Path.Combine(_dir, "plain"), Path.Combine(_dir, "runnable"));
        Directory.CreateDirectory(plain);
        Directory.CreateDirectory(runnable);
        Script(Path.Combine("plain", "geostage-test-tool"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var tool = Script(Path.Combine("runnable", "geostage-test-tool"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = Environment.GetEnvironmentVariable("PATH");

        // Prepended, so that other tests' lookups on the PATH still find what they look for meanwhile.
        Environment.SetEnvironmentVariable("PATH", $"{plain}:{runnable}:{path}");
        try
        {
            Assert.Equal(tool, Core.Validation.WorkloadValidator.FindCommand("geostage-test-tool", out var problem));
            Assert.Null(problem);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PATH", path);
        }
    }

    [Fact]
    public void Load_HealthCommandThatDoesNotExist_PointsAtTheProgram()
    {
        var error = SingleError("""
            workloads:
              - name: web
                command: /bin/sh
                health:
                  command: [/no/such/check, --quiet]
            """);

        AssertError(error, 5, 17, "workloads[0].health.command[0]", "command '/no/such/check' does not exist");
    }

    [Fact]
    public void Load_FileDir_IsReplacedByTheAbsoluteDirectoryOfTheFile()
    {
        Script("run", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var file = Path.Combine(_dir, "app.yaml");

        var workload = Assert.Single(Core.Validation.WorkloadValidator.Load(
            """
            workloads:
              - name: web
                command: "{{file.dir}}/run"
                args: ["--data", "{{file.dir}}/data", "{{node.name}}"]
                env: { CONF: "{{file.dir}}/app.conf" }
                health:
                  command: ["{{file.dir}}/run", "check"]
            """,
            file,
            Seed,
            []));

        Assert.Equal(Path.Combine(_dir, "run"), workload.Command);
        Assert.Equal(["--data", $"{_dir}/data", "{{node.name}}"], workload.Args);
        Assert.Equal($"{_dir}/app.conf", workload.Env["CONF"]);
        Assert.Equal([Path.Combine(_dir, "run"), "check"], workload.Health!.Command);
    }

    [Fact]
    public void Load_FileDirOfARelativeFileName_IsAbsolute()
    {
        var workload = Assert.Single(Core.Validation.WorkloadValidator.Load(
            """
            workloads:
              - name: web
                command: /bin/sh
                args: ["{{file.dir}}"]
            """,
            Path.Combine("some", "dir", "app.yaml"),
            Seed,
            []));

        Assert.Equal(Path.GetFullPath(Path.Combine("some", "dir")), workload.Args[0]);
        Assert.True(Path.IsPathRooted(workload.Args[0]));
    }

    private string Script(string name, UnixFileMode mode)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, "#!/bin/sh\nexit 0\n");
        File.SetUnixFileMode(path, mode);
        return path;
    }
}
