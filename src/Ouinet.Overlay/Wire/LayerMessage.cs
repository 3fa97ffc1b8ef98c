using System.Buffers;

namespace Ouinet.Overlay.Wire;

/// <summary>What travels on a unicast IPCP's management N-1 flows: enrolment (OEP), connection set-up (CEP) and LSAs.</summary>
public enum LayerMessageKind : byte
{
    EnrollRequest = 1,
    EnrollResponse = 2,
    EnrollAck = 3,
    Connect = 4,
    LinkState = 5,
}

/// <summary>
/// A message on a unicast IPCP's N-1 management flow: a kind byte, then the body. OEP (<c>enroll_req{id}</c>,
/// <c>enroll_resp{id, t_sec, t_nsec, response, conf}</c>, <c>enroll_ack{id, result}</c>) and CEP
/// (<c>cep_msg{comp_name, protocol, pref_version, address}</c>) in our binary layout instead of protobuf; the LSA in
/// its 24-byte layout.
/// </summary>
public abstract record LayerMessage
{
    public const int EnrolmentIdSize = 16;

    public abstract LayerMessageKind Kind { get; }

    public byte[] ToArray()
    {
        var buffer = new byte[1 + MaxBodySize];
        var w = new WireWriter(buffer);
        w.U8((byte)Kind);
        WriteBody(ref w);
        return buffer.AsSpan(0, w.Written).ToArray();
    }

    private protected abstract int MaxBodySize { get; }

    private protected abstract void WriteBody(ref WireWriter w);

    public static bool TryRead(ref SequenceReader<byte> reader, out LayerMessage message)
    {
        message = null!;
        var r = reader;
        if (!r.TryReadU8(out var kind))
        {
            return false;
        }
        LayerMessage? m;
        switch ((LayerMessageKind)kind)
        {
            case LayerMessageKind.EnrollRequest:
                m = r.TryReadBytes(EnrolmentIdSize, out var id) ? new EnrollRequest(id) : null;
                break;
            case LayerMessageKind.EnrollResponse:
                m = EnrollResponse.TryReadBody(ref r);
                break;
            case LayerMessageKind.EnrollAck:
                m = r.TryReadBytes(EnrolmentIdSize, out var ackId) && r.TryReadI32(out var result) ? new EnrollAck(ackId, result) : null;
                break;
            case LayerMessageKind.Connect:
                m = r.TryReadShortString(out var comp) && r.TryReadShortString(out var proto) && r.TryReadU32(out var version) && r.TryReadU64(out var address)
                    ? new ConnectMessage(comp, proto, version, address)
                    : null;
                break;
            case LayerMessageKind.LinkState:
                m = Lsa.TryRead(ref r, out var lsa) ? new LinkStateMessage(lsa) : null;
                break;
            default:
                throw new OverlayFormatException(OverlayFormatError.UnknownCode, $"layer management message kind {kind}");
        }
        if (m is null)
        {
            return false;
        }
        message = m;
        reader = r;
        return true;
    }

    public static LayerMessage Parse(ReadOnlySpan<byte> datagram) => WireReader.ParseDatagram<LayerMessage>(datagram, "layer management message", TryRead);
}

public sealed record EnrollRequest(byte[] Id) : LayerMessage
{
    public override LayerMessageKind Kind => LayerMessageKind.EnrollRequest;

    private protected override int MaxBodySize => EnrolmentIdSize;

    private protected override void WriteBody(ref WireWriter w) => w.Bytes(Id);
}

public sealed record EnrollAck(byte[] Id, int Result) : LayerMessage
{
    public override LayerMessageKind Kind => LayerMessageKind.EnrollAck;

    private protected override int MaxBodySize => EnrolmentIdSize + 4;

    private protected override void WriteBody(ref WireWriter w)
    {
        w.Bytes(Id);
        w.I32(Result);
    }
}

/// <summary>CEP: which component (<c>dt</c> or <c>mgmt</c>) a new N-1 flow is for, and the connecting member's address.</summary>
public sealed record ConnectMessage(string Component, string Protocol, uint PreferredVersion, ulong Address) : LayerMessage
{
    public override LayerMessageKind Kind => LayerMessageKind.Connect;

    private protected override int MaxBodySize => 2 + 255 + 255 + 12;

    private protected override void WriteBody(ref WireWriter w)
    {
        w.ShortString(Component);
        w.ShortString(Protocol);
        w.U32(PreferredVersion);
        w.U64(Address);
    }
}

public sealed record LinkStateMessage(Lsa Lsa) : LayerMessage
{
    public override LayerMessageKind Kind => LayerMessageKind.LinkState;

    private protected override int MaxBodySize => Lsa.Size;

    private protected override void WriteBody(ref WireWriter w)
    {
        Lsa.Write(w.Remaining());
        w.Skip(Lsa.Size);
    }
}

/// <summary>
/// OEP's answer: the layer's configuration for the new member. Besides the layer's parameters we add the enroller's
/// address (the DHT's bootstrap contact) and the addresses already in use (the new member draws one outside them).
/// </summary>
public sealed record EnrollResponse(byte[] Id, ulong TimeSeconds, uint TimeNanoseconds, int Response, LayerConfig Config) : LayerMessage
{
    public const int MaxKnownAddresses = 4096;

    public override LayerMessageKind Kind => LayerMessageKind.EnrollResponse;

    private protected override int MaxBodySize => EnrolmentIdSize + 16 + 1 + 255 + 40 + 6 + (4 * Config.KnownAddresses.Count);

    private protected override void WriteBody(ref WireWriter w)
    {
        w.Bytes(Id);
        w.U64(TimeSeconds);
        w.U32(TimeNanoseconds);
        w.I32(Response);
        var c = Config;
        w.ShortString(c.LayerName);
        w.U8(c.AddressSize);
        w.U8(c.EidSize);
        w.U8(c.MaxTtl);
        w.U8((byte)(c.MbEcn ? 1 : 0));
        w.U32(c.RecalcMilliseconds);
        w.U32(c.UpdateMilliseconds);
        w.U32(c.TimeoutMilliseconds);
        w.U8(c.DhtAlpha);
        w.U8(c.DhtK);
        w.U32(c.DhtExpireSeconds);
        w.U32(c.DhtRefreshSeconds);
        w.U32(c.DhtReplicateSeconds);
        w.U32(c.EnrollerAddress);
        w.U16(checked((ushort)c.KnownAddresses.Count));
        foreach (var a in c.KnownAddresses)
        {
            w.U32(a);
        }
    }

    internal static EnrollResponse? TryReadBody(ref SequenceReader<byte> r)
    {
        if (!r.TryReadBytes(EnrolmentIdSize, out var id) || !r.TryReadU64(out var sec) || !r.TryReadU32(out var nsec) || !r.TryReadI32(out var response)
            || !r.TryReadShortString(out var layer) || !r.TryReadU8(out var addrSize) || !r.TryReadU8(out var eidSize) || !r.TryReadU8(out var ttl)
            || !r.TryReadU8(out var ca) || !r.TryReadU32(out var recalc) || !r.TryReadU32(out var update) || !r.TryReadU32(out var timeo)
            || !r.TryReadU8(out var alpha) || !r.TryReadU8(out var k) || !r.TryReadU32(out var expire) || !r.TryReadU32(out var refresh)
            || !r.TryReadU32(out var replicate) || !r.TryReadU32(out var enroller) || !r.TryReadU16(out var count))
        {
            return null;
        }
        if (addrSize != 4 || eidSize != 8)
        {
            throw new OverlayFormatException(OverlayFormatError.BadValue, $"address size {addrSize} / EID size {eidSize}: only 4 / 8 are supported");
        }
        if (ca > 1 || alpha == 0 || k == 0 || ttl == 0)
        {
            throw new OverlayFormatException(OverlayFormatError.BadValue, "layer configuration out of range");
        }
        if (count > MaxKnownAddresses)
        {
            throw new OverlayFormatException(OverlayFormatError.TooLong, $"{count} known addresses, more than {MaxKnownAddresses}");
        }
        var known = new uint[count];
        for (var i = 0; i < count; i++)
        {
            if (!r.TryReadU32(out known[i]))
            {
                return null;
            }
        }
        var config = new LayerConfig(layer)
        {
            MaxTtl = ttl, MbEcn = ca == 1, RecalcMilliseconds = recalc, UpdateMilliseconds = update, TimeoutMilliseconds = timeo,
            DhtAlpha = alpha, DhtK = k, DhtExpireSeconds = expire, DhtRefreshSeconds = refresh, DhtReplicateSeconds = replicate,
            EnrollerAddress = enroller, KnownAddresses = known,
        };
        return new EnrollResponse(id, sec, nsec, response, config);
    }
}

/// <summary>
/// A unicast layer's parameters, set by the member that bootstraps it and handed to each member at enrolment
/// (<c>irm ipcp bootstrap</c>'s unicast parameters).
/// </summary>
public sealed record LayerConfig(string LayerName)
{
    public byte AddressSize { get; init; } = 4;

    public byte EidSize { get; init; } = 8;

    public byte MaxTtl { get; init; } = DtHeader.DefaultMaxTtl;

    /// <summary><c>congestion mb-ecn</c> (true, the default) or <c>none</c>.</summary>
    public bool MbEcn { get; init; } = true;

    /// <summary><c>ls_t_recalc</c>: how often the forwarding table is recomputed (4 s).</summary>
    public uint RecalcMilliseconds { get; init; } = 4000;

    /// <summary><c>ls_t_update</c>: how often own LSAs are flooded again (15 s).</summary>
    public uint UpdateMilliseconds { get; init; } = 15000;

    /// <summary><c>ls_t_timeo</c>: an LSA not refreshed for this long is dropped (60 s).</summary>
    public uint TimeoutMilliseconds { get; init; } = 60000;

    public byte DhtAlpha { get; init; } = 3;

    public byte DhtK { get; init; } = 8;

    public uint DhtExpireSeconds { get; init; } = 86400;

    public uint DhtRefreshSeconds { get; init; } = 900;

    public uint DhtReplicateSeconds { get; init; } = 900;

    /// <summary>In an enrolment response: the enroller's own address (the DHT bootstrap contact).</summary>
    public uint EnrollerAddress { get; init; }

    /// <summary>In an enrolment response: addresses already taken in the layer.</summary>
    public IReadOnlyList<uint> KnownAddresses { get; init; } = [];
}
