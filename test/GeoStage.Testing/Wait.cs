using System.Diagnostics;

namespace GeoStage.Testing;

/// <summary>Waits for a condition, never for a fixed time; fails with what was awaited when it times out.</summary>
public static class Wait
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"waited {timeout.TotalSeconds:0.#} s for {what}");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>As <see cref="UntilAsync(Func{bool}, TimeSpan, string)"/> for a condition that must await (an API call), instead of blocking a thread on it.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"waited {timeout.TotalSeconds:0.#} s for {what}");
            }

            await Task.Delay(10, cancellationToken);
        }
    }

    /// <summary>Waits until <paramref name="value"/> has not changed for <paramref name="quiet"/>.</summary>
    public static async Task UntilStableAsync(Func<long> value, TimeSpan quiet, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        var last = value();
        var since = clock.Elapsed;
        while (clock.Elapsed - since < quiet)
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"waited {timeout.TotalSeconds:0.#} s for {what}");
            }

            await Task.Delay(10);
            var now = value();
            if (now != last)
            {
                last = now;
                since = clock.Elapsed;
            }
        }
    }
}
