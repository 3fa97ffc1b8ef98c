using System.Net;
using System.Net.Sockets;
using System.Numerics;

namespace Ouinet.Dht;

/// <summary>
/// BEP 42, the DHT security extension: a node's ID must start with 21 bits of CRC32C over its (masked) external IP
/// and a 3-bit random <c>r</c>, and end with a byte whose low 3 bits are <c>r</c>. It makes choosing one's place in
/// the keyspace cost one IP per position. Local addresses are exempt.
/// </summary>
public static class Bep42
{
    private static readonly byte[] V4Mask = [0x03, 0x0f, 0x3f, 0xff];
    private static readonly byte[] V6Mask = [0x01, 0x03, 0x07, 0x0f, 0x1f, 0x3f, 0x7f, 0xff];

    /// <summary>
    /// A node ID valid for <paramref name="externalAddress"/>; <paramref name="random"/> supplies the 20 random bytes
    /// (its last byte becomes the ID's last byte, whose low 3 bits are <c>r</c>).
    /// </summary>
    public static NodeId CreateId(IPAddress externalAddress, ReadOnlySpan<byte> random)
    {
        ArgumentNullException.ThrowIfNull(externalAddress);
        if (random.Length < NodeId.Size)
        {
            throw new ArgumentException("Need 20 random bytes.", nameof(random));
        }
        var rand = random[19];
        var crc = Crc(externalAddress, (byte)(rand & 7));
        Span<byte> id = stackalloc byte[NodeId.Size];
        random[..NodeId.Size].CopyTo(id);
        id[0] = (byte)(crc >> 24);
        id[1] = (byte)(crc >> 16);
        id[2] = (byte)(((crc >> 8) & 0xf8) | (uint)(random[2] & 7));
        id[19] = rand;
        return new NodeId(id);
    }

    /// <summary>Whether <paramref name="id"/> is valid for <paramref name="address"/> by BEP 42 (local addresses always are).</summary>
    public static bool IsValid(NodeId id, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return IsExempt(address) || Matches(id, address);
    }

    /// <summary>Whether <paramref name="id"/> carries the CRC prefix of <paramref name="address"/>, exemptions aside.</summary>
    public static bool Matches(NodeId id, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[NodeId.Size];
        id.CopyTo(bytes);
        var crc = Crc(address, (byte)(bytes[19] & 7));
        return bytes[0] == (byte)(crc >> 24) && bytes[1] == (byte)(crc >> 16) && (bytes[2] & 0xf8) == ((crc >> 8) & 0xf8);
    }

    /// <summary>
    /// The addresses BEP 42 exempts: 10/8, 172.16/12, 192.168/16, 169.254/16, 127/8 (and IPv6 loopback, link-local and
    /// unique-local), where many nodes share an address or the external one is unknown.
    /// </summary>
    public static bool IsExempt(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            return b[0] == 10 || b[0] == 127 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254);
        }
        return IPAddress.IsLoopback(address) || address.IsIPv6LinkLocal || address.IsIPv6UniqueLocal || address.IsIPv6SiteLocal;
    }

    private static uint Crc(IPAddress address, byte r)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        Span<byte> ip = stackalloc byte[16];
        address.TryWriteBytes(ip, out var length);
        var mask = length == 4 ? V4Mask : V6Mask;
        var octets = mask.Length;
        for (var i = 0; i < octets; i++)
        {
            ip[i] &= mask[i];
        }
        ip[0] |= (byte)(r << 5);
        var crc = uint.MaxValue;
        for (var i = 0; i < octets; i++)
        {
            crc = BitOperations.Crc32C(crc, ip[i]);
        }
        return ~crc;
    }
}
