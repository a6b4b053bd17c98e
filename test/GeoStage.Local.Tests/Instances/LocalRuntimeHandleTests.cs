using GeoStage.Core.Runtime;
using GeoStage.Local.Instances;
using Xunit;

namespace GeoStage.Local.Tests.Instances;

/// <summary>
/// The local runtime's instance handle, "PID:TICKS": the control loop stores it as an opaque string and
/// hands it back, so it must read back as the same process, and a handle another runtime made must be
/// refused by name rather than taken for some PID. No root needed.
/// </summary>
public sealed class LocalRuntimeHandleTests
{
    [Theory]
    [InlineData(1, 0UL)]
    [InlineData(4242, 123456789UL)]
    [InlineData(int.MaxValue, ulong.MaxValue)]
    public void Parse_HandleOf_GivesBackPidAndStartTicks(int pid, ulong ticks)
    {
        var handle = LocalRuntime.HandleOf(pid, ticks);

        Assert.Equal((pid, ticks), LocalRuntime.Parse(handle));
        Assert.Equal(pid, handle.Pid);
    }

    [Fact]
    public void Parse_HandleReadBackFromItsIdAlone_GivesTheSameProcess()
    {
        // The store keeps only the Id: a handle rebuilt from it must name the same process.
        var stored = LocalRuntime.HandleOf(4242, 987654321UL).Id;

        Assert.Equal((4242, 987654321UL), LocalRuntime.Parse(new InstanceHandle(stored)));
    }

    [Fact]
    public void HandleOf_SamePidAndTicks_IsEqual_AndAnotherStartIsNot()
    {
        // A later process reusing the PID has another start time: it must not be taken for the instance.
        Assert.Equal(LocalRuntime.HandleOf(4242, 100UL), LocalRuntime.HandleOf(4242, 100UL));
        Assert.NotEqual(LocalRuntime.HandleOf(4242, 100UL), LocalRuntime.HandleOf(4242, 101UL));
    }

    [Theory]
    [InlineData("")]
    [InlineData("4242")]
    [InlineData("4242:")]
    [InlineData(":100")]
    [InlineData("4242:100:7")]
    [InlineData("-1:100")]
    [InlineData("+4242:100")]
    [InlineData(" 4242:100")]
    [InlineData("4242:-100")]
    [InlineData("99999999999:100")]
    [InlineData("0x10:100")]
    [InlineData("pod/3f2a9c1e-7b4d-4e8a-9f00-1c2d3e4f5a6b")]
    public void Parse_ForeignOrMalformedHandle_ThrowsNamingIt(string id)
    {
        var error = Assert.Throws<ArgumentException>(() => LocalRuntime.Parse(new InstanceHandle(id)));

        Assert.Equal("handle", error.ParamName);
        Assert.Contains($"'{id}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("PID:TICKS", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_LocalHandle_ShowsItsPid()
    {
        Assert.Equal("pid 4242", LocalRuntime.HandleOf(4242, 123456789UL).ToString());
    }

    [Fact]
    public void ToString_HandleWithoutPid_ShowsItsId()
    {
        Assert.Equal("4242:100", new InstanceHandle("4242:100").ToString());
    }
}
