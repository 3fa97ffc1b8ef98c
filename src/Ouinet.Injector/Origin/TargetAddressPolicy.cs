using System.Net;
using System.Net.Sockets;

namespace Ouinet.Injector.Origin;

/// <summary>
/// Which addresses an injector may connect to for a client. An injector runs inside someone's network; without this
/// check any client could use it to reach that network's private services (SSRF). Only globally routable unicast
/// addresses pass. Checked on every address a name resolves to, and the connection goes to a checked address, never
/// to a second resolution of the name (no time-of-check/time-of-use gap).
/// </summary>
public static class TargetAddressPolicy
{
    /// <summary>
    /// Whether <paramref name="address"/> is a public unicast address. Refused: IPv4 <c>0.0.0.0/8</c> ("this network"),
    /// <c>10/8</c>, <c>100.64/10</c> (carrier-grade NAT), <c>127/8</c>, <c>169.254/16</c>, <c>172.16/12</c>,
    /// <c>192.0.0/24</c>, <c>192.0.2/24</c>, <c>192.168/16</c>, <c>198.18/15</c>, <c>198.51.100/24</c>,
    /// <c>203.0.113/24</c>, <c>224/4</c> (multicast), <c>240/4</c> and broadcast; IPv6 <c>::</c>, <c>::1</c>,
    /// <c>fc00::/7</c> (unique local), <c>fe80::/10</c> (link-local), <c>fec0::/10</c> (old site-local),
    /// <c>ff00::/8</c> (multicast), <c>100::/64</c> (discard), <c>2001:db8::/32</c> (documentation),
    /// <c>2001::/32</c> (Teredo: it hides an IPv4 address we cannot check). IPv6 forms that embed an IPv4 address
    /// (<c>::ffff:a.b.c.d</c> mapped, <c>::a.b.c.d</c> compatible, <c>64:ff9b::/96</c> NAT64, <c>2002::/16</c>
    /// 6to4) are judged by that IPv4 address.
    /// </summary>
    public static bool IsPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> v4 = stackalloc byte[4];
            address.TryWriteBytes(v4, out _);
            return IsPublicV4(v4);
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }
        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out _);
        if (b[..10].IndexOfAnyExcept((byte)0) < 0)
        {
            // ::/80: the unspecified address, loopback, IPv4-mapped (::ffff:0:0/96) and IPv4-compatible (::/96).
            var mapped = b[10] == 0xff && b[11] == 0xff;
            var compatible = b[10] == 0 && b[11] == 0;
            if (compatible && b[12..].IndexOfAnyExcept((byte)0) < 0)
            {
                return false;  // :: and ::0.0.0.0
            }
            return (mapped || compatible) && IsPublicV4(b[12..]);
        }
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4..12].IndexOfAnyExcept((byte)0) < 0)
        {
            return IsPublicV4(b[12..]);  // 64:ff9b::/96, well-known NAT64 prefix
        }
        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return IsPublicV4(b[2..6]);  // 6to4
        }
        if (b[0] == 0x20 && b[1] == 0x01 && (b[2] == 0x0d && b[3] == 0xb8 || b[2] == 0 && b[3] == 0))
        {
            return false;  // documentation, Teredo
        }
        if (b[0] == 0x01 && b[1] == 0x00 && b[2..8].IndexOfAnyExcept((byte)0) < 0)
        {
            return false;  // discard-only 100::/64
        }
        return (b[0] & 0xfe) != 0xfc        // unique local fc00::/7
            && !(b[0] == 0xfe && (b[1] & 0xc0) is 0x80 or 0xc0)  // link-local fe80::/10, site-local fec0::/10
            && b[0] != 0xff;                 // multicast
    }

    private static bool IsPublicV4(ReadOnlySpan<byte> a) => a[0] switch
    {
        0 or 10 or 127 => false,
        100 => (a[1] & 0xc0) != 64,
        169 => a[1] != 254,
        172 => (a[1] & 0xf0) != 16,
        192 => !(a[1] == 168 || a[1] == 0 && a[2] is 0 or 2),
        198 => !((a[1] & 0xfe) == 18 || a[1] == 51 && a[2] == 100),
        203 => !(a[1] == 0 && a[2] == 113),
        >= 224 => false,
        _ => true,
    };
}
