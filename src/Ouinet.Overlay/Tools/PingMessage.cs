using System.Buffers.Binary;

namespace Ouinet.Overlay.Tools;

/// <summary>oping's message: <c>{type u32, id u32, sec u64, nsec u64}</c>, padded to the ping size (64 bytes by default).</summary>
public static class PingMessage
{
    public const int HeaderSize = 24;
    public const uint EchoRequest = 0;
    public const uint EchoReply = 1;

    public static byte[] Create(uint id, TimeSpan sent, int size)
    {
        var m = new byte[Math.Max(HeaderSize, size)];
        BinaryPrimitives.WriteUInt32BigEndian(m, EchoRequest);
        BinaryPrimitives.WriteUInt32BigEndian(m.AsSpan(4), id);
        BinaryPrimitives.WriteUInt64BigEndian(m.AsSpan(8), (ulong)(sent.Ticks / TimeSpan.TicksPerSecond));
        BinaryPrimitives.WriteUInt64BigEndian(m.AsSpan(16), (ulong)(sent.Ticks % TimeSpan.TicksPerSecond * 100));
        return m;
    }

    public static bool TryRead(ReadOnlySpan<byte> m, out uint type, out uint id, out TimeSpan sent)
    {
        type = id = 0;
        sent = default;
        if (m.Length < HeaderSize)
        {
            return false;
        }
        type = BinaryPrimitives.ReadUInt32BigEndian(m);
        id = BinaryPrimitives.ReadUInt32BigEndian(m[4..]);
        var sec = BinaryPrimitives.ReadUInt64BigEndian(m[8..]);
        var nsec = BinaryPrimitives.ReadUInt64BigEndian(m[16..]);
        if (sec > 1_000_000_000 || nsec >= 1_000_000_000)
        {
            return false;
        }
        sent = TimeSpan.FromTicks(((long)sec * TimeSpan.TicksPerSecond) + ((long)nsec / 100));
        return true;
    }

    /// <summary>The echo of a request: the same bytes with the type set to reply.</summary>
    public static void MakeReply(Span<byte> m) => BinaryPrimitives.WriteUInt32BigEndian(m, EchoReply);
}
