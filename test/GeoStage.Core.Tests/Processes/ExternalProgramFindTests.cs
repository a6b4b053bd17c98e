using GeoStage.Core.Processes;
using Xunit;

namespace GeoStage.Core.Tests.Processes;

/// <summary>The one PATH lookup: what it finds, and what it says when there is nothing to run.</summary>
public sealed class ExternalProgramFindTests : IDisposable
{
    private const UnixFileMode Runnable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly string _dir = Directory.CreateTempSubdirectory("geostage-find-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Find_AbsolutePathOfAnExecutable_ReturnsIt()
    {
        Assert.Equal("/bin/sh", ExternalProgram.Find("/bin/sh", _dir, out var problem));
        Assert.Null(problem);
    }

    [Fact]
    public void Find_RelativeNameInAPathDirectory_ReturnsItsPath()
    {
        var other = Directory.CreateDirectory(Path.Combine(_dir, "other")).FullName;
        var tool = File(Path.Combine(_dir, "geostage-test-tool"), Runnable);

        Assert.Equal(tool, ExternalProgram.Find("geostage-test-tool", $"{other}::{_dir}", out var problem));
        Assert.Null(problem);
    }

    [Fact]
    public void Find_NameOnNoPathDirectory_SaysItIsNotOnThePath()
    {
        Assert.Null(ExternalProgram.Find("sh", _dir, out var problem));
        Assert.Equal("command 'sh' is not on the PATH; give its absolute path or install it", problem);
    }

    [Fact]
    public void Find_Directory_SaysItIsADirectory()
    {
        Assert.Null(ExternalProgram.Find(_dir, _dir, out var problem));
        Assert.Equal($"'{_dir}' is a directory; give the path of the program inside it", problem);
    }

    [Fact]
    public void Find_AbsolutePathThatDoesNotExist_SaysSo()
    {
        var missing = Path.Combine(_dir, "missing");

        Assert.Null(ExternalProgram.Find(missing, _dir, out var problem));
        Assert.Equal($"command '{missing}' does not exist", problem);
    }

    [Fact]
    public void Find_FileWithoutExecuteBit_GivesItsMode()
    {
        var plain = File(Path.Combine(_dir, "plain"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        Assert.Null(ExternalProgram.Find(plain, _dir, out var problem));
        Assert.Equal($"'{plain}' is not executable (mode 0640); chmod +x it", problem);
    }

    [Fact]
    public void Find_NotExecutableOnThePathBeforeAnExecutable_TakesTheExecutableOne()
    {
        var (plain, runnable) = (Directory.CreateDirectory(Path.Combine(_dir, "plain")).FullName, Directory.CreateDirectory(Path.Combine(_dir, "runnable")).FullName);
        File(Path.Combine(plain, "geostage-test-tool"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var tool = File(Path.Combine(runnable, "geostage-test-tool"), Runnable);

        Assert.Equal(tool, ExternalProgram.Find("geostage-test-tool", $"{plain}:{runnable}", out _));
    }

    [Fact]
    public void Find_PathUnset_LooksInTheDefaultPath()
    {
        Assert.Equal(ExternalProgram.DefaultPath.Split(':'), ExternalProgram.SearchDirectories(null));
        var sh = ExternalProgram.Find("sh", pathVariable: null, out var problem);

        Assert.Null(problem);
        Assert.Contains(Path.GetDirectoryName(sh), ExternalProgram.DefaultPath.Split(':'));
    }

    private static string File(string path, UnixFileMode mode)
    {
        System.IO.File.WriteAllText(path, "#!/bin/sh\nexit 0\n");
        System.IO.File.SetUnixFileMode(path, mode);
        return path;
    }
}
