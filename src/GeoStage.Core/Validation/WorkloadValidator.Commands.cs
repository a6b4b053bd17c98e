using GeoStage.Core.Processes;

namespace GeoStage.Core.Validation;

/// <summary>Finding a workload's program as a shell would, and saying why one cannot run.</summary>
public sealed partial class WorkloadValidator
{
    /// <summary>The absolute path of an executable <paramref name="command"/>, or null and what is wrong.</summary>
    public static string? FindCommand(string command, out string? problem) => ExternalProgram.Find(command, out problem);
}
