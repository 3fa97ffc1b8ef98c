using System.Net;
using System.Net.Sockets;

namespace Ouinet.Dht;

/// <summary>
/// Which endpoints the node will talk to or pass on. "Martians" — addresses no public node can have (unspecified,
/// multicast, reserved, broadcast, loopback, port 0) — are refused unless <c>bt-allow-martians</c> is set, as Ouinet
/// does. A node bound to loopback talks to loopback only: that is how tests are kept off the real network.
/// </summary>
public sealed class AddressFilter
{
    private AddressFilter(bool loopbackOnly, bool allowMartians)
    {
        LoopbackOnly = loopbackOnly;
        AllowMartians = allowMartians;
    }

    /// <summary>Only 127.0.0.0/8 may be contacted (and then loopback is not martian).</summary>
    public bool LoopbackOnly { get; }

    public bool AllowMartians { get; }

    public static AddressFilter Create(bool loopbackOnly, bool allowMartians) => new(loopbackOnly, allowMartians);

    /// <summary>Whether we may send to, store, or pass on <paramref name="endPoint"/>.</summary>
    public bool IsAllowed(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var address = endPoint.Address;
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            return false; // IPv4 only for now (BEP 32 not implemented)
        }
        var loopback = IPAddress.IsLoopback(address);
        if (LoopbackOnly)
        {
            return loopback && endPoint.Port != 0;
        }
        return AllowMartians || (!loopback && !IsMartian(endPoint));
    }

    /// <summary>Addresses and ports that no reachable public node has.</summary>
    public static bool IsMartian(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        if (endPoint.Port == 0)
        {
            return true;
        }
        Span<byte> b = stackalloc byte[16];
        if (!endPoint.Address.TryWriteBytes(b, out var length) || length != 4)
        {
            return false;
        }
        return b[0] == 0 // "this" network
            || b[0] == 127
            || b[0] >= 224; // multicast 224/4, reserved 240/4, broadcast
    }
}
