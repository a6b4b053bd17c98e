using GeoStage.Core.Model;
using GeoStage.Core.Overlay;
using GeoStage.Overlay.OpenVpn;
using GeoStage.Overlay.WireGuard;

namespace GeoStage.Overlay;

/// <summary>
/// Every overlay driver, by the spec's overlay.backend name: the one place a driver is added (with its
/// value of <see cref="OverlayBackend"/>, which the spec validator maps the name to).
/// </summary>
public static class OverlayDrivers
{
    private static readonly (OverlayBackend Backend, IOverlayDriver Driver)[] s_drivers =
    [
        (OverlayBackend.OpenVpn, new OpenVpnDriver()),
        (OverlayBackend.WireGuard, new WireGuardDriver()),
    ];

    /// <summary>The names a spec may give as overlay.backend, in the order drivers were added.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. s_drivers.Select(d => d.Driver.Name)];

    /// <summary>The driver of a model's overlay.</summary>
    public static IOverlayDriver For(OverlayBackend backend) =>
        s_drivers.FirstOrDefault(d => d.Backend == backend).Driver
            ?? throw new ArgumentException($"no overlay driver for backend {backend}; known: {string.Join(", ", Names)}", nameof(backend));

    /// <summary>The driver named <paramref name="name"/> (the spec's overlay.backend).</summary>
    public static IOverlayDriver For(string name) =>
        s_drivers.FirstOrDefault(d => d.Driver.Name == name).Driver
            ?? throw new ArgumentException($"unknown overlay backend '{name}'; known: {string.Join(", ", Names)}", nameof(name));
}
