using System.Buffers;
using System.Text;
using Ouinet.Dht.Bencoding;

namespace Ouinet.Dht.Messages;

/// <summary>Writes <see cref="KrpcMessage"/>s canonically (keys sorted, as <see cref="BencodeWriter"/> enforces).</summary>
public static class KrpcEncoder
{
    private const int MaxMessageLength = 8192;

    public static byte[] Encode(KrpcMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var buffer = ArrayPool<byte>.Shared.Rent(MaxMessageLength);
        try
        {
            var writer = new BencodeWriter(buffer);
            Write(ref writer, message);
            return writer.Written.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void Write(ref BencodeWriter w, KrpcMessage m)
    {
        w.WriteDictionaryStart();
        switch (m.Type)
        {
            case KrpcMessageType.Query:
                w.WriteKey("a"u8);
                WriteArguments(ref w, m);
                break;
            case KrpcMessageType.Error:
                w.WriteKey("e"u8);
                w.WriteListStart();
                w.WriteInteger(m.ErrorCode);
                w.WriteString(Encoding.UTF8.GetBytes(m.ErrorMessage ?? ""));
                w.WriteEnd();
                break;
        }
        if (m.RequesterEndPoint is { } requester)
        {
            w.WriteKey("ip"u8);
            Span<byte> compact = stackalloc byte[CompactFormat.PeerLength];
            CompactFormat.WritePeer(requester, compact);
            w.WriteString(compact);
        }
        if (m.Type == KrpcMessageType.Query)
        {
            w.WriteKey("q"u8);
            w.WriteString(Encoding.Latin1.GetBytes(m.MethodName ?? KrpcMessage.NameOf(m.Method)));
        }
        if (m.Type == KrpcMessageType.Response)
        {
            w.WriteKey("r"u8);
            WriteResponse(ref w, m);
        }
        if (m.Type == KrpcMessageType.Query && m.ReadOnly)
        {
            w.WriteKey("ro"u8);
            w.WriteInteger(1);
        }
        w.WriteKey("t"u8);
        w.WriteString(m.TransactionId);
        if (m.Version is { } version)
        {
            w.WriteKey("v"u8);
            w.WriteString(version);
        }
        w.WriteKey("y"u8);
        w.WriteString(m.Type switch
        {
            KrpcMessageType.Query => "q"u8,
            KrpcMessageType.Response => "r"u8,
            _ => "e"u8,
        });
        w.WriteEnd();
    }

    private static void WriteArguments(ref BencodeWriter w, KrpcMessage m)
    {
        Span<byte> id = stackalloc byte[NodeId.Size];
        w.WriteDictionaryStart();
        WriteId(ref w, "id"u8, m.Id ?? throw new ArgumentException("A query needs the sender's ID.", nameof(m)), id);
        if (m.Method == KrpcMethod.AnnouncePeer && m.ImpliedPort)
        {
            w.WriteKey("implied_port"u8);
            w.WriteInteger(1);
        }
        if (m.InfoHash is { } infoHash)
        {
            WriteId(ref w, "info_hash"u8, infoHash, id);
        }
        if (m.Port is { } port)
        {
            w.WriteKey("port"u8);
            w.WriteInteger(port);
        }
        if (m.Target is { } target)
        {
            WriteId(ref w, "target"u8, target, id);
        }
        if (m.Token is { } token)
        {
            w.WriteKey("token"u8);
            w.WriteString(token);
        }
        w.WriteEnd();
    }

    private static void WriteResponse(ref BencodeWriter w, KrpcMessage m)
    {
        Span<byte> id = stackalloc byte[NodeId.Size];
        w.WriteDictionaryStart();
        WriteId(ref w, "id"u8, m.Id ?? throw new ArgumentException("A response needs the sender's ID.", nameof(m)), id);
        if (m.Nodes is { } nodes)
        {
            w.WriteKey("nodes"u8);
            var compact = new byte[nodes.Count * CompactFormat.NodeLength];
            CompactFormat.WriteNodes(nodes, compact);
            w.WriteString(compact);
        }
        if (m.Token is { } token)
        {
            w.WriteKey("token"u8);
            w.WriteString(token);
        }
        if (m.Values is { } values)
        {
            w.WriteKey("values"u8);
            w.WriteListStart();
            Span<byte> peer = stackalloc byte[CompactFormat.PeerLength];
            foreach (var value in values)
            {
                CompactFormat.WritePeer(value, peer);
                w.WriteString(peer);
            }
            w.WriteEnd();
        }
        w.WriteEnd();
    }

    private static void WriteId(ref BencodeWriter w, scoped ReadOnlySpan<byte> key, NodeId value, scoped Span<byte> scratch)
    {
        w.WriteKey(key);
        value.CopyTo(scratch);
        w.WriteString(scratch);
    }

    /// <summary>
    /// Size of a <c>get_peers</c> response without its values, plus how much each value adds: used to cut
    /// <c>values</c> so that the whole response fits the UDP size we allow.
    /// </summary>
    internal static int ValueCost => BencodeEncoder.StringLength(CompactFormat.PeerLength);
}
