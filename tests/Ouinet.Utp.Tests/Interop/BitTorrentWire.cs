using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Ouinet.Utp.Tests.Interop;

/// <summary>The BitTorrent peer wire protocol (BEP 3), as much as a download or an upload of one torrent needs.</summary>
internal static class BitTorrentWire
{
    public const byte Choke = 0, Unchoke = 1, Interested = 2, Have = 4, Bitfield = 5, Request = 6, Piece = 7;

    public static readonly byte[] PeerId = "-OU0001-"u8.ToArray().Concat(RandomNumberGenerator.GetBytes(12)).ToArray();

    /// <summary>The 68-byte handshake: no reserved bits set, so the peer answers with plain messages (no extensions).</summary>
    public static byte[] Handshake(byte[] infoHash) => [19, .. "BitTorrent protocol"u8, .. new byte[8], .. infoHash, .. PeerId];

    public static async Task<byte[]> ReadExactlyAsync(Stream stream, int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer, cancellationToken);
        return buffer;
    }

    /// <summary>The next message (id, payload); keep-alives are skipped; null at the end of the stream.</summary>
    public static async Task<(byte Id, byte[] Payload)?> ReadMessageAsync(Stream stream, CancellationToken cancellationToken)
    {
        while (true)
        {
            var prefix = new byte[4];
            try
            {
                await stream.ReadExactlyAsync(prefix, cancellationToken);
            }
            catch (EndOfStreamException)
            {
                return null;
            }
            var length = BinaryPrimitives.ReadInt32BigEndian(prefix);
            if (length is < 0 or > (1 << 20))
            {
                throw new InvalidDataException($"Message length {length}.");
            }
            if (length == 0)
            {
                continue;
            }
            var body = await ReadExactlyAsync(stream, length, cancellationToken);
            return (body[0], body[1..]);
        }
    }

    public static byte[] Message(byte id, params byte[][] parts)
    {
        var payload = parts.SelectMany(p => p).ToArray();
        var message = new byte[5 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(message, 1 + payload.Length);
        message[4] = id;
        payload.CopyTo(message, 5);
        return message;
    }

    public static byte[] Int(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    /// <summary>utp_peer.py's content: SHA-256("utp-interop" ‖ i as 8-byte big-endian) for i = 0, 1, …, cut to the size.</summary>
    public static byte[] Content(long offset, int count)
    {
        var result = new byte[count];
        Span<byte> input = stackalloc byte[11 + 8];
        "utp-interop"u8.CopyTo(input);
        Span<byte> digest = stackalloc byte[32];
        for (var i = 0; i < count;)
        {
            var absolute = offset + i;
            BinaryPrimitives.WriteInt64BigEndian(input[11..], absolute / 32);
            SHA256.HashData(input, digest);
            var from = (int)(absolute % 32);
            var take = Math.Min(32 - from, count - i);
            digest.Slice(from, take).CopyTo(result.AsSpan(i));
            i += take;
        }
        return result;
    }
}
