namespace GeoStage.Core.State;

/// <summary>An environment name that is not a DNS-1123 label, refused before it becomes a path.</summary>
public sealed class InvalidEnvironmentNameException : ArgumentException
{
    public InvalidEnvironmentNameException(string message)
        : base(message)
    {
    }

    public InvalidEnvironmentNameException()
    {
    }

    public InvalidEnvironmentNameException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>A directory under the state root that GeoStage did not create (no marker) or that is a
/// symbolic link: GeoStage neither writes into nor removes it.</summary>
public sealed class ForeignStateDirectoryException : InvalidOperationException
{
    public ForeignStateDirectoryException(string message)
        : base(message)
    {
    }

    public ForeignStateDirectoryException()
    {
    }

    public ForeignStateDirectoryException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
