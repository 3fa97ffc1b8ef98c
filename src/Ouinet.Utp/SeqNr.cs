namespace Ouinet.Utp;

/// <summary>16-bit sequence and ACK numbers compared across wrap-around (RFC 1982 serial arithmetic).</summary>
internal static class SeqNr
{
    /// <summary>True when <paramref name="a"/> comes before <paramref name="b"/>.</summary>
    public static bool Less(ushort a, ushort b) => (short)(a - b) < 0;

    /// <summary>How far <paramref name="to"/> is after <paramref name="from"/> (0 … 65535).</summary>
    public static int Distance(ushort from, ushort to) => (ushort)(to - from);

    public static ushort Add(ushort a, int n) => (ushort)(a + n);
}
