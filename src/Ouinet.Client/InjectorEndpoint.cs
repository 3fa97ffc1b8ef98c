using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Ouinet.Client;

/// <summary>How the injector is reached.</summary>
public enum InjectorTransport
{
    Tcp,

    /// <summary>uTP on the client's UDP socket (shared with the DHT when the distributed cache runs).</summary>
    Utp,

    /// <summary><c>overlay:NAME</c>: a reliable flow to NAME in the Ouroboros-style overlay (<see cref="OverlayDialer"/>).</summary>
    Overlay,
}

/// <summary>
/// Opens a byte stream to <paramref name="name"/> over the overlay (the host runs the overlay node; the client knows only
/// this seam). Throws <see cref="IOException"/> when the name cannot be reached.
/// </summary>
public delegate ValueTask<Stream> OverlayDialer(string name, CancellationToken cancellationToken);

/// <summary>
/// An <c>injector-ep</c> value, <c>TYPE:ENDPOINT</c>: <c>tcp:IP:PORT</c> or <c>utp:IP:PORT</c> (IPv6 as
/// <c>[ADDR]:PORT</c>), or <c>overlay:NAME</c> (<see cref="EndPoint"/> null, <see cref="OverlayName"/> set).
/// </summary>
public sealed record InjectorEndpoint(InjectorTransport Transport, IPEndPoint? EndPoint, string? OverlayName = null)
{
    /// <summary>Longest overlay name accepted (names are hashed into the layer's directory; this only bounds input).</summary>
    public const int MaxOverlayNameLength = 255;

    public override string ToString() => Transport switch
    {
        InjectorTransport.Overlay => $"overlay:{OverlayName}",
        InjectorTransport.Utp => $"utp:{EndPoint}",
        _ => $"tcp:{EndPoint}",
    };

    /// <summary>Parses <paramref name="text"/>; <paramref name="error"/> says what is wrong, naming what is not built yet.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out InjectorEndpoint? endpoint, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        endpoint = null;
        error = "";
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var type = colon < 0 ? "" : text[..colon];
        var rest = colon < 0 ? text : text[(colon + 1)..];
        switch (type)
        {
            case "tcp":
            case "utp":
                var hasPort = rest.StartsWith('[') ? rest.Contains("]:", StringComparison.Ordinal) : rest.Contains(':', StringComparison.Ordinal);
                if (hasPort && IPEndPoint.TryParse(rest, out var ep) && ep.Port != 0 && (ep.AddressFamily != AddressFamily.InterNetworkV6 || rest.StartsWith('[')))
                {
                    endpoint = new InjectorEndpoint(type == "utp" ? InjectorTransport.Utp : InjectorTransport.Tcp, ep);
                    return true;
                }
                error = $"expected {type}:IP:PORT (an IP address, not a name; IPv6 as [ADDR]:PORT)";
                return false;
            case "overlay":
                if (rest.Length is > 0 and <= MaxOverlayNameLength && !rest.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                {
                    endpoint = new InjectorEndpoint(InjectorTransport.Overlay, null, rest);
                    return true;
                }
                error = $"expected overlay:NAME (a name registered in the overlay, 1 to {MaxOverlayNameLength} characters, no spaces)";
                return false;
            case "i2p":
                error = "i2p: endpoints are not supported";
                return false;
            case "bep5":
                error = "Bep5 endpoints are set implicitly (and come with the distributed cache)";
                return false;
            default:
                error = "expected TYPE:ENDPOINT such as tcp:127.0.0.1:7070";
                return false;
        }
    }
}
