using System.Buffers;
using Ouinet.Overlay.Wire;

namespace Ouinet.Overlay.Tests.Wire;

/// <summary>Golden bytes for every codec, then every prefix (need more, reader untouched) and every segmentation.</summary>
public class CodecTests
{
    private static readonly byte[] Hash16 = [.. Enumerable.Range(0xA0, 16).Select(i => (byte)i)];
    private static readonly byte[] Hash32 = [.. Enumerable.Range(0xC0, 32).Select(i => (byte)i)];

    public static TheoryData<string> Names => [.. Golden.Keys];

    private static readonly Dictionary<string, (byte[] Bytes, WireReader.TryParser<object> Parse)> Golden = new()
    {
        ["shim-req"] = (new ShimMgmtMessage(ShimMgmtCode.FlowRequest, 0x11223344, 0, 0, QosSpec.Data, Hash16).ToArray(), Box<ShimMgmtMessage>(ShimMgmtMessage.TryRead)),
        ["shim-reply"] = (new ShimMgmtMessage(ShimMgmtCode.FlowReply, 5, 0x11223344, -1007, QosSpec.Raw, null).ToArray(), Box<ShimMgmtMessage>(ShimMgmtMessage.TryRead)),
        ["dt"] = (Bytes(h => new DtHeader(0xDEADBEEF, QosCube.Voice, 60, 3, 0x0102030405060708).Write(h), DtHeader.Size), Box<DtHeader>(DtHeader.TryRead)),
        ["fa-req"] = (new FlowAllocatorMessage(FlowAllocatorCode.FlowRequest, 0xAABBCCDD, 0, 0x1234000000000040, 0, QosSpec.Voice, 0, Hash32).ToArray(), Box<FlowAllocatorMessage>(FlowAllocatorMessage.TryRead)),
        ["fa-update"] = (new FlowAllocatorMessage(FlowAllocatorCode.FlowUpdate, 1, 2, 3, 0, QosSpec.Raw, 300, null).ToArray(), Box<FlowAllocatorMessage>(FlowAllocatorMessage.TryRead)),
        ["frcp"] = (Bytes(h => new FrcpHeader(FrcpFlags.Data | FrcpFlags.DataRun | FrcpFlags.Ack | FrcpFlags.FlowControl, 0x123456, 0x89ABCDEF, 0x01020304).Write(h), FrcpHeader.Size), Box<FrcpHeader>(FrcpHeader.TryRead)),
        ["lsa"] = (new Lsa(0x0A, 0x0B, 7 | Lsa.WithdrawnBit).ToArray(), Box<Lsa>(Lsa.TryRead)),
        ["dht-store"] = (new DhtMessage(DhtCode.Store, Hash32, 9) { Key = Hash32, Value = 0x01020304, Expiry = 86400 }.ToArray(), Box<DhtMessage>(DhtMessage.TryRead)),
        ["dht-value-rsp"] = (new DhtMessage(DhtCode.FindValueResponse, Hash32, 9) { Cookie = 42, Key = Hash32, Contacts = [new DhtContact(Hash32, 7)], Values = [1, 2] }.ToArray(), Box<DhtMessage>(DhtMessage.TryRead)),
        ["oep-resp"] = (new EnrollResponse(Hash16, 1_800_000_000, 5, 0, new LayerConfig("uni") { EnrollerAddress = 0x01020304, KnownAddresses = [1, 2, 3] }).ToArray(), Box<LayerMessage>(LayerMessage.TryRead)),
        ["cep"] = (new ConnectMessage("dt", "DTP", 1, 0xCAFE).ToArray(), Box<LayerMessage>(LayerMessage.TryRead)),
    };

    private static WireReader.TryParser<object> Box<T>(WireReader.TryParser<T> parse) => (ref SequenceReader<byte> r, out object v) =>
    {
        var ok = parse(ref r, out var t);
        v = t!;
        return ok;
    };

    private static byte[] Bytes(Action<byte[]> write, int size)
    {
        var b = new byte[size];
        write(b);
        return b;
    }

    [Fact]
    public void Shim_management_message_is_47_bytes_big_endian_then_the_MD5()
    {
        var bytes = Golden["shim-req"].Bytes;
        Assert.Equal(47 + 16, bytes.Length);
        Assert.Equal("00000000" + "11223344" + "00000000" + "00000000" + "0000000000000000" + "000003E8" + "00000000" + "00000000" + "000007D0" + "0001D4C0" + "00" + "00" + "01",
            Convert.ToHexString(bytes, 0, 47));
        Assert.Equal(Hash16, bytes[47..]);
    }

    [Fact]
    public void DT_header_is_15_bytes_dst_cube_ttl_ecn_eid()
    {
        Assert.Equal("DEADBEEF" + "02" + "3C" + "03" + "0102030405060708", Convert.ToHexString(Golden["dt"].Bytes));
    }

    [Fact]
    public void Flow_allocator_message_is_61_bytes_then_the_SHA3_hash()
    {
        var bytes = Golden["fa-req"].Bytes;
        Assert.Equal(61 + 32, bytes.Length);
        Assert.Equal("00000000AABBCCDD" + "0000000000000000" + "1234000000000040" + "00000000000186A0" + "00000000" + "00000032" + "00000001" + "00000000" + "00000032" + "0001D4C0" + "0000" + "00" + "05" + "01",
            Convert.ToHexString(bytes, 0, 61));
        Assert.Equal("000000000000000100000000000000020000000000000003" + "0000000000000000" + "00000000" + "FFFFFFFF" + "00000001" + "00000001" + "FFFFFFFF" + "0001D4C0" + "012C" + "02" + "00" + "00",
            Convert.ToHexString(Golden["fa-update"].Bytes));
    }

    [Fact]
    public void FRCP_header_is_12_bytes_flags_window24_seqno_ackno()
    {
        Assert.Equal("0F" + "123456" + "89ABCDEF" + "01020304", Convert.ToHexString(Golden["frcp"].Bytes));
    }

    [Fact]
    public void LSA_is_24_bytes_and_the_top_bit_of_seqno_withdraws()
    {
        Assert.Equal("000000000000000A" + "000000000000000B" + "8000000000000007", Convert.ToHexString(Golden["lsa"].Bytes));
        var lsa = Lsa.Parse(Golden["lsa"].Bytes);
        Assert.True(lsa.IsWithdrawal);
        Assert.Equal(7UL, lsa.Sequence);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_prefix_needs_more_and_leaves_the_reader_alone(string name)
    {
        var (bytes, parse) = Golden[name];
        for (var n = 0; n < bytes.Length; n++)
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes, 0, n));
            Assert.False(parse(ref reader, out _), $"{name}: a {n}-byte prefix parsed");
            Assert.Equal(0, reader.Consumed);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_segmentation_parses_the_same_and_consumes_it_all(string name)
    {
        var (bytes, parse) = Golden[name];
        var whole = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        Assert.True(parse(ref whole, out var expected));
        Assert.True(whole.End);
        var sequences = Enumerable.Range(1, bytes.Length - 1).Select(cut => Sequences.Split(bytes, cut)).Append(Sequences.OneBytePerSegment(bytes));
        foreach (var sequence in sequences)
        {
            var reader = new SequenceReader<byte>(sequence);
            Assert.True(parse(ref reader, out var value));
            Assert.True(reader.End);
            Assert.Equal(Describe(expected), Describe(value));
        }
    }

    private static string Describe(object value) => value switch
    {
        DhtMessage d => Convert.ToHexString(d.ToArray()),
        LayerMessage l => Convert.ToHexString(l.ToArray()),
        ShimMgmtMessage s => Convert.ToHexString(s.ToArray()),
        FlowAllocatorMessage f => Convert.ToHexString(f.ToArray()),
        _ => value.ToString()!,
    };

    [Theory]
    [InlineData("dt-cube", OverlayFormatError.BadQosCube)]
    [InlineData("frcp-fragment", OverlayFormatError.BadFlags)]
    [InlineData("shim-eid", OverlayFormatError.BadValue)]
    [InlineData("shim-code", OverlayFormatError.UnknownCode)]
    [InlineData("fa-inorder", OverlayFormatError.BadValue)]
    [InlineData("dht-contacts", OverlayFormatError.TooLong)]
    [InlineData("layer-kind", OverlayFormatError.UnknownCode)]
    [InlineData("lsa-self", OverlayFormatError.BadValue)]
    [InlineData("trailing", OverlayFormatError.TrailingData)]
    [InlineData("truncated", OverlayFormatError.Truncated)]
    public void Malformed_input_fails_with_a_precise_error(string what, OverlayFormatError expected)
    {
        var e = Assert.Throws<OverlayFormatException>(() =>
        {
            switch (what)
            {
                case "dt-cube": DtHeader.Parse(Patch(Golden["dt"].Bytes, 4, 3)); break;
                case "frcp-fragment": FrcpHeader.Parse(Patch(Golden["frcp"].Bytes, 0, 0x21)); break;
                case "shim-eid": ShimMgmtMessage.Parse(Patch(Golden["shim-reply"].Bytes, 3, 1)); break;
                case "shim-code": ShimMgmtMessage.Parse(Patch(Golden["shim-reply"].Bytes, 44, 9)); break;
                case "fa-inorder": FlowAllocatorMessage.Parse(Patch(Golden["fa-update"].Bytes, 60, 2)); break;
                case "dht-contacts": DhtMessage.Parse(Patch(Golden["dht-value-rsp"].Bytes, 1 + 32 + 8 + 4 + 32, 17)); break;
                case "layer-kind": LayerMessage.Parse([99]); break;
                case "lsa-self": Lsa.Parse(new Lsa(5, 5, 1).ToArray()); break;
                case "trailing": Lsa.Parse([.. Golden["lsa"].Bytes, 0]); break;
                default: FlowAllocatorMessage.Parse(Golden["fa-req"].Bytes.AsSpan(0, 70)); break;
            }
        });
        Assert.Equal(expected, e.Error);
    }

    private static byte[] Patch(byte[] bytes, int at, byte value)
    {
        var copy = (byte[])bytes.Clone();
        copy[at] = value;
        return copy;
    }

    [Fact]
    public void QoS_specs_pick_the_cubes_Ouroboros_picks()
    {
        Assert.Equal(QosCube.Voice, QosSpec.Voice.Cube);
        Assert.Equal(QosCube.Video, QosSpec.Video.Cube);
        Assert.Equal(QosCube.BestEffort, QosSpec.Data.Cube);
        Assert.Equal(QosCube.BestEffort, QosSpec.Raw.Cube);
        Assert.True(QosSpec.Data.IsReliable);
        Assert.False(QosSpec.Voice.IsReliable);
        Assert.True(QosSpec.TryParseName("voice", out var v) && v == QosSpec.Voice);
    }
}
