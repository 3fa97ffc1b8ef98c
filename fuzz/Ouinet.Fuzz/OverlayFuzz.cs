using System.Buffers;
using System.Text;
using Ouinet.Overlay.Configuration;
using Ouinet.Overlay.Wire;

namespace Ouinet.Fuzz;

/// <summary>
/// The overlay's decoders of untrusted input. Each parses the whole datagram and, on success, checks that the value
/// writes back to the bytes it was read from (every codec is a fixed layout, so a round trip must be exact).
/// </summary>
internal static class OverlayFuzz
{
    public static readonly Func<Exception, bool> FormatErrors = e => e is OverlayFormatException;

    public static void Shim(byte[] input)
    {
        if (input.Length >= ShimFrame.HeaderSize && ShimFrame.ReadEid(input) == ShimFrame.ManagementEid)
        {
            var m = ShimMgmtMessage.Parse(input);
            Same(m.ToArray(), input, "shim mgmt_msg");
        }
    }

    public static void Dt(byte[] input)
    {
        var h = DtHeader.Parse(input);
        var bytes = new byte[DtHeader.Size];
        h.Write(bytes);
        Same(bytes, input.AsSpan(0, DtHeader.Size), "DT header");
    }

    public static void FlowAllocator(byte[] input) => Same(FlowAllocatorMessage.Parse(input).ToArray(), input, "fa_msg");

    public static void Frcp(byte[] input)
    {
        var h = FrcpHeader.Parse(input);
        var bytes = new byte[FrcpHeader.Size];
        h.Write(bytes);
        Same(bytes, input.AsSpan(0, FrcpHeader.Size), "FRCP header");
    }

    public static void LsaTarget(byte[] input) => Same(Lsa.Parse(input).ToArray(), input, "LSA");

    public static void Dht(byte[] input) => Same(DhtMessage.Parse(input).ToArray(), input, "DHT message");

    public static void Layer(byte[] input)
    {
        var m = LayerMessage.Parse(input);
        // Names are UTF-8 and re-encode the same; everything else is fixed layout.
        Same(m.ToArray(), input, "layer management message");
    }

    public static void Config(byte[] input)
    {
        var text = Encoding.UTF8.GetString(input);
        _ = IrmdConfig.Parse(text, "fuzz");
        _ = HostsFile.Parse(text, "fuzz").Count();
    }

    private static void Same(ReadOnlySpan<byte> written, ReadOnlySpan<byte> read, string what)
    {
        if (!written.SequenceEqual(read))
        {
            throw new InvalidOperationException($"A parsed {what} does not write back to its bytes.");
        }
    }

    /// <summary>Seeds for the corpus (written by the smoke test's generator, kept here so they follow the codecs).</summary>
    public static IEnumerable<(string Target, string Name, byte[] Bytes)> Seeds()
    {
        byte[] h16 = [.. Enumerable.Range(1, 16).Select(i => (byte)i)];
        byte[] h32 = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];
        yield return ("overlay-shim", "req", new ShimMgmtMessage(ShimMgmtCode.FlowRequest, 7, 0, 0, Overlay.QosSpec.Data, h16).ToArray());
        yield return ("overlay-shim", "reply", new ShimMgmtMessage(ShimMgmtCode.FlowReply, 7, 9, 0, Overlay.QosSpec.Raw, null).ToArray());
        var dt = new byte[DtHeader.Size + 4];
        new DtHeader(0x0A0B0C0D, Overlay.QosCube.Video, 60, 1, 0x4000000000000040).Write(dt);
        yield return ("overlay-dt", "packet", dt);
        yield return ("overlay-fa", "req", new FlowAllocatorMessage(FlowAllocatorCode.FlowRequest, 1, 0, 64, 0, Overlay.QosSpec.Voice, 0, h32).ToArray());
        yield return ("overlay-fa", "update", new FlowAllocatorMessage(FlowAllocatorCode.FlowUpdate, 1, 2, 3, 0, Overlay.QosSpec.Raw, 12, null).ToArray());
        var frcp = new byte[FrcpHeader.Size + 3];
        new FrcpHeader(FrcpFlags.Data | FrcpFlags.Ack | FrcpFlags.FlowControl, 300, 1, 2).Write(frcp);
        yield return ("overlay-frcp", "data", frcp);
        yield return ("overlay-lsa", "lsa", new Lsa(1, 2, 3).ToArray());
        yield return ("overlay-dht", "store", new DhtMessage(DhtCode.Store, h32, 5) { Key = h32, Value = 5, Expiry = 60 }.ToArray());
        yield return ("overlay-dht", "find-value-rsp", new DhtMessage(DhtCode.FindValueResponse, h32, 5) { Key = h32, Cookie = 1, Contacts = [new DhtContact(h32, 6)], Values = [5] }.ToArray());
        yield return ("overlay-dht", "find-node-req", new DhtMessage(DhtCode.FindNodeRequest, h32, 5) { Key = h32, Cookie = 9 }.ToArray());
        yield return ("overlay-layer", "enroll-resp", new EnrollResponse(h16, 1, 2, 0, new LayerConfig("uni") { EnrollerAddress = 3, KnownAddresses = [3, 4] }).ToArray());
        yield return ("overlay-layer", "cep", new ConnectMessage("mgmt", "LSP", 1, 9).ToArray());
        yield return ("overlay-layer", "enroll-req", new EnrollRequest(h16).ToArray());
        yield return ("overlay-config", "irmd", Encoding.UTF8.GetBytes("[name.oping]\nprog = [\"oping\"]\n[udp4.udp]\nbootstrap = \"udp\"\nport = 4000\ndir = [\"uni.b=127.0.0.1:4001\"]\nreg = [\"uni.a\"]\n[unicast.\"uni.a\"]\nbootstrap = \"uni\"\nls_t_recalc = 0.5\nreg = [\"oping\"]\n"));
        yield return ("overlay-config", "hosts", Encoding.UTF8.GetBytes("127.0.0.1:4000 uni.a uni\n127.0.0.2 0123456789abcdef0123456789abcdef # md5\n"));
    }
}
