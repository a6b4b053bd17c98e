namespace GeoStage.Core.Validation;

/// <summary>One thing wrong with a spec: where, and what to do about it.</summary>
public sealed record SpecError(string File, int Line, int Column, string Path, string Message)
{
    // Messages quote values, and a value (a block scalar, a quoted "a\nb") may hold line breaks: shown
    // escaped, an error stays the one line that tools and people read it as.
    public string Path { get; init; } = Path.ReplaceLineEndings("\\n");

    public string Message { get; init; } = Message.ReplaceLineEndings("\\n");

    public override string ToString() =>
        Path.Length == 0 ? $"{File}:{Line}:{Column}: {Message}" : $"{File}:{Line}:{Column}: {Path}: {Message}";
}

/// <summary>Thrown when a spec cannot be used; carries every error found, not only the first.</summary>
public sealed class SpecException : Exception
{
    public SpecException(IReadOnlyList<SpecError> errors)
        : base(errors.Count == 1 ? errors[0].ToString() : $"{errors.Count} errors:{Environment.NewLine}" + string.Join(Environment.NewLine, errors))
    {
        Errors = errors;
    }

    public SpecException()
        : this([])
    {
    }

    public SpecException(string message)
        : base(message)
    {
        Errors = [];
    }

    public SpecException(string message, Exception inner)
        : base(message, inner)
    {
        Errors = [];
    }

    public IReadOnlyList<SpecError> Errors { get; }
}
