using System.CommandLine;

namespace GeoStage.Cli.Commands;

internal static class CommonOptions
{
    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Log debug lines to stderr (how the command ended, a failure with its stack trace); for serve, log at Debug.",
        Recursive = true,
    };

    public static Option<string?> Name() => new("--name", "-n")
    {
        Description = "The environment; may be left out when exactly one exists.",
    };

    public static Option<string> Output() => new Option<string>("--output", "-o")
    {
        Description = "How to print: table (for people) or json (for programs).",
        DefaultValueFactory = _ => "table",
    }.AcceptingOnly("table", "json");

    private static Option<string> AcceptingOnly(this Option<string> option, params string[] values)
    {
        option.AcceptOnlyFromAmong(values);
        return option;
    }
}
