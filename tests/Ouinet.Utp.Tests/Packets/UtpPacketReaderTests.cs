using Ouinet.Utp.Packets;

namespace Ouinet.Utp.Tests.Packets;

public class UtpPacketReaderTests
{
    // raw_utp.py's SYN: struct ">BBHIIIHH" = (ST_SYN << 4 | 1, 0, conn_id 0x1234, ts 0x01020304, 0, 1 << 20, seq 1, ack 0)
    private static readonly byte[] Syn = Convert.FromHexString("41001234010203040000000000100000" + "00010000");

    [Fact]
    public void BEP29Header_IsReadFieldByField_BigEndian()
    {
        Assert.True(UtpPacketReader.TryRead(Syn, out var packet, out var error));
        Assert.Equal(UtpPacketError.None, error);
        Assert.Equal(new UtpHeader(UtpPacketType.Syn, 0, 0x1234, 0x01020304, 0, 1 << 20, 1, 0), packet.Header);
        Assert.True(packet.Payload.IsEmpty);
        Assert.True(packet.SelectiveAck.IsEmpty);
    }

    [Fact]
    public void Header_WritesTheSameBytesItReads()
    {
        var header = new UtpHeader(UtpPacketType.Data, 0, 0xBEEF, 0xFFFFFFFF, 0x80000001, 0x00ABCDEF, 0xFFFF, 0x0001);
        var bytes = new byte[UtpHeader.Size];
        header.Write(bytes);
        Assert.Equal("01" + "00" + "BEEF" + "FFFFFFFF" + "80000001" + "00ABCDEF" + "FFFF" + "0001", Convert.ToHexString(bytes));
        Assert.True(UtpPacketReader.TryRead(bytes, out var packet, out _));
        Assert.Equal(header, packet.Header);
    }

    [Fact]
    public void SelectiveAck_AndPayload_AreSeparated()
    {
        // ST_STATE with a SACK (4 bytes) followed by libtorrent's close-reason extension, then 3 payload bytes.
        var datagram = Concat(Header(UtpPacketType.State, UtpExtension.SelectiveAck), [UtpExtension.CloseReason, 4, 0x05, 0, 0, 0x80],
            [UtpExtension.None, 4, 0, 0, 0, 0], [9, 9, 9]);
        Assert.True(UtpPacketReader.TryRead(datagram, out var packet, out _));
        Assert.Equal(new byte[] { 0x05, 0, 0, 0x80 }, packet.SelectiveAck.ToArray());
        Assert.Equal(new byte[] { 9, 9, 9 }, packet.Payload.ToArray());
    }

    [Fact]
    public void SelectiveAck_OfAnyLength_IsAccepted_AsLibtorrentSendsIt()
    {
        // libtorrent sizes its bitmask (span + 7) / 8, not always a multiple of 4.
        var datagram = Concat(Header(UtpPacketType.State, UtpExtension.SelectiveAck), [UtpExtension.None, 2, 0xFF, 0x01]);
        Assert.True(UtpPacketReader.TryRead(datagram, out var packet, out _));
        Assert.Equal(2, packet.SelectiveAck.Length);
    }

    [Fact]
    public void DatagramLimit_IsRead_WhenFourBytesLong()
    {
        var datagram = Concat(Header(UtpPacketType.Syn, UtpExtension.DatagramLimit), [UtpExtension.None, 4, 0, 0, 0xFF, 0xE3]);
        Assert.True(UtpPacketReader.TryRead(datagram, out var packet, out _));
        Assert.Equal(65507u, packet.DatagramLimit);
        var odd = Concat(Header(UtpPacketType.Syn, UtpExtension.DatagramLimit), [UtpExtension.None, 2, 0xFF, 0xE3]);
        Assert.True(UtpPacketReader.TryRead(odd, out packet, out _));
        Assert.Equal(0u, packet.DatagramLimit);
    }

    [Fact]
    public void UnknownExtensions_AreSkipped()
    {
        var datagram = Concat(Header(UtpPacketType.Data, 0x77), [UtpExtension.None, 3, 1, 2, 3], [42]);
        Assert.True(UtpPacketReader.TryRead(datagram, out var packet, out _));
        Assert.Equal(new byte[] { 42 }, packet.Payload.ToArray());
    }

    [Theory]
    [InlineData("41", UtpPacketError.TooShort)]
    [InlineData("4100123401020304000000000010000000010000", UtpPacketError.None)]
    [InlineData("4200123401020304000000000010000000010000", UtpPacketError.BadVersion)]
    [InlineData("4000123401020304000000000010000000010000", UtpPacketError.BadVersion)]
    [InlineData("5100123401020304000000000010000000010000", UtpPacketError.BadType)]
    [InlineData("F100123401020304000000000010000000010000", UtpPacketError.BadType)]
    [InlineData("2101123401020304000000000010000000010000", UtpPacketError.TruncatedExtension)]
    [InlineData("210112340102030400000000001000000001000000", UtpPacketError.TruncatedExtension)]
    [InlineData("21011234010203040000000000100000000100000004000000", UtpPacketError.TruncatedExtension)]
    public void MalformedHeaders_AreRefusedWithAPreciseReason(string hex, UtpPacketError expected)
    {
        var ok = UtpPacketReader.TryRead(Convert.FromHexString(hex), out _, out var error);
        Assert.Equal(expected == UtpPacketError.None, ok);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void ALongExtensionChain_IsRefused()
    {
        var chain = new List<byte>(Header(UtpPacketType.State, 9));
        for (var i = 0; i < UtpPacketReader.MaxExtensions; i++)
        {
            chain.AddRange(new byte[] { 9, 0 }); // every extension announces another one
        }
        Assert.False(UtpPacketReader.TryRead(chain.ToArray(), out _, out var error));
        Assert.Equal(UtpPacketError.TooManyExtensions, error);
    }

    [Fact]
    public void EveryPrefix_OfAPacketWithExtensions_IsRefusedOrParsed_NeverThrows()
    {
        var datagram = Concat(Header(UtpPacketType.State, UtpExtension.SelectiveAck), [UtpExtension.DatagramLimit, 4, 1, 2, 3, 4],
            [UtpExtension.None, 4, 0, 0, 1, 0], [1, 2, 3]);
        var extensionsEnd = UtpHeader.Size + 12;
        for (var length = 0; length <= datagram.Length; length++)
        {
            var ok = UtpPacketReader.TryRead(datagram.AsSpan(0, length), out var packet, out var error);
            Assert.Equal(length >= extensionsEnd, ok);
            if (!ok)
            {
                Assert.Equal(length < UtpHeader.Size ? UtpPacketError.TooShort : UtpPacketError.TruncatedExtension, error);
            }
            else
            {
                Assert.Equal(length - extensionsEnd, packet.Payload.Length);
            }
        }
    }

    internal static byte[] Header(UtpPacketType type, byte extension, ushort connectionId = 1, ushort seqNr = 1, ushort ackNr = 0)
    {
        var bytes = new byte[UtpHeader.Size];
        new UtpHeader(type, extension, connectionId, 0, 0, 65536, seqNr, ackNr).Write(bytes);
        return bytes;
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];
}
