using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Ouinet.Client;

/// <summary>How the injector is reached.</summary>
public enum InjectorTransport
{
    Tcp,
}

/// <summary>An <c>injector-ep</c> value, <c>TYPE:ENDPOINT</c>; only <c>tcp:IP:PORT</c> (IPv6 as <c>[ADDR]:PORT</c>) for now.</summary>
public sealed record InjectorEndpoint(InjectorTransport Transport, IPEndPoint EndPoint)
{
    public override string ToString() => $"tcp:{EndPoint}";

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
                var hasPort = rest.StartsWith('[') ? rest.Contains("]:", StringComparison.Ordinal) : rest.Contains(':', StringComparison.Ordinal);
                if (hasPort && IPEndPoint.TryParse(rest, out var ep) && ep.Port != 0 && (ep.AddressFamily != AddressFamily.InterNetworkV6 || rest.StartsWith('[')))
                {
                    endpoint = new InjectorEndpoint(InjectorTransport.Tcp, ep);
                    return true;
                }
                error = "expected tcp:IP:PORT (an IP address, not a name; IPv6 as [ADDR]:PORT)";
                return false;
            case "utp":
                error = "utp: endpoints come with the uTP transport, not built yet; use tcp:IP:PORT";
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
