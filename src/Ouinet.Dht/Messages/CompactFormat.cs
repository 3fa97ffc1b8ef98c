using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Ouinet.Dht.Messages;

/// <summary>
/// BEP 5's compact encodings: "compact IP-address/port info" (6 bytes: IPv4, port, big-endian) and "compact node
/// info" (26 bytes: ID then the 6-byte address). IPv4 only; BEP 32's 18/38-byte IPv6 forms are recognised and skipped.
/// </summary>
public static class CompactFormat
{
    public const int PeerLength = 6;
    public const int NodeLength = NodeId.Size + PeerLength;
    public const int Peer6Length = 18;

    /// <summary>Reads a 6-byte compact IPv4 endpoint.</summary>
    public static IPEndPoint ReadPeer(ReadOnlySpan<byte> data)
    {
        if (data.Length != PeerLength)
        {
            throw new ArgumentException($"A compact IPv4 endpoint is {PeerLength} bytes.", nameof(data));
        }
        return new IPEndPoint(new IPAddress(data[..4]), BinaryPrimitives.ReadUInt16BigEndian(data[4..]));
    }

    /// <summary>Writes <paramref name="endPoint"/> (IPv4) in 6 bytes.</summary>
    public static void WritePeer(IPEndPoint endPoint, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        if (endPoint.AddressFamily != AddressFamily.InterNetwork || !endPoint.Address.TryWriteBytes(destination[..4], out _))
        {
            throw new ArgumentException("Only IPv4 endpoints have a 6-byte compact form.", nameof(endPoint));
        }
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], (ushort)endPoint.Port);
    }

    public static byte[] EncodePeer(IPEndPoint endPoint)
    {
        var bytes = new byte[PeerLength];
        WritePeer(endPoint, bytes);
        return bytes;
    }

    /// <summary>Reads a concatenation of 26-byte compact node infos; false when the length is not a multiple of 26.</summary>
    public static bool TryReadNodes(ReadOnlySpan<byte> data, List<NodeInfo> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        if (data.Length % NodeLength != 0)
        {
            return false;
        }
        for (var i = 0; i < data.Length; i += NodeLength)
        {
            nodes.Add(new NodeInfo(new NodeId(data.Slice(i, NodeId.Size)), ReadPeer(data.Slice(i + NodeId.Size, PeerLength))));
        }
        return true;
    }

    /// <summary>Writes node infos back to back (IPv4 nodes only).</summary>
    public static void WriteNodes(IReadOnlyList<NodeInfo> nodes, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        for (var i = 0; i < nodes.Count; i++)
        {
            var slot = destination.Slice(i * NodeLength, NodeLength);
            nodes[i].Id.CopyTo(slot);
            WritePeer(nodes[i].EndPoint, slot[NodeId.Size..]);
        }
    }
}
