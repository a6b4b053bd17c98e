namespace GeoStage.Cli;

/// <summary>What the CLI's exit status means; scripts can rely on these.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Something failed while running; the message says what.</summary>
    public const int Failed = 1;

    /// <summary>The topology file, or an environment name given, is invalid; nothing was changed.</summary>
    public const int InvalidSpec = 2;

    /// <summary>Refused before changing anything: already up, name taken, tool missing.</summary>
    public const int Conflict = 3;

    /// <summary>No such environment or node.</summary>
    public const int NotFound = 4;

    /// <summary>Needs root.</summary>
    public const int NotRoot = 5;

    /// <summary>Up, but not every pair of nodes reaches the other (reach).</summary>
    public const int Unreachable = 6;

    /// <summary>The change waited on was replaced by a later one before it was ready; the later one goes on.</summary>
    public const int Superseded = 7;

    /// <summary>Cancelled (Ctrl+C or SIGTERM). up rolls back what it began unless its environment was
    /// already complete (daemon started); then the message says what still runs and how to remove it.</summary>
    public const int Cancelled = 130;
}
