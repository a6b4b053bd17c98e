using System.Runtime.InteropServices;

namespace GeoStage.Cli.Commands;

/// <summary>
/// Ctrl+C and SIGTERM from the moment the process starts. System.CommandLine installs its own handling
/// only once a command's action first awaits something; a signal before that (up: lock and state file
/// written, 'ip netns add' about to run) ended the process on the spot and left both behind. These
/// registrations turn such a signal into the cancellation every command already handles.
/// Concurrency: the handlers run on the runtime's signal thread; cancelling a token is thread-safe.
/// </summary>
internal static class EarlySignals
{
    private static readonly CancellationTokenSource s_signalled = new();

    public static CancellationToken Token => s_signalled.Token;

    public static IDisposable Register() => new Registrations(
        PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
        PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal));

    private static void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        s_signalled.Cancel();
    }

    private sealed class Registrations(PosixSignalRegistration interrupt, PosixSignalRegistration terminate) : IDisposable
    {
        public void Dispose()
        {
            interrupt.Dispose();
            terminate.Dispose();
        }
    }
}
