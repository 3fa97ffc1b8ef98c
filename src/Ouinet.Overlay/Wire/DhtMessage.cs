using System.Buffers;

namespace Ouinet.Overlay.Wire;

/// <summary>Kademlia message codes of the directory (as Ouroboros' <c>dht.proto</c>).</summary>
public enum DhtCode : byte
{
    Store = 0,
    FindNodeRequest = 1,
    FindNodeResponse = 2,
    FindValueRequest = 3,
    FindValueResponse = 4,
}

/// <summary>A DHT contact: a node id and the layer address of the member that holds it.</summary>
public sealed record DhtContact(byte[] Id, ulong Address)
{
    public bool Equals(DhtContact? other) => other is not null && Address == other.Address && Id.AsSpan().SequenceEqual(other.Id);

    public override int GetHashCode() => HashCode.Combine(Address, Id.Length > 0 ? Id[0] : 0);
}

/// <summary>
/// One directory message (<c>dht_msg{code, src{id, addr}, store{key, val, exp}, find{cookie, key},
/// node{cookie, key, contacts[]}, val{values[]}}</c>) in our binary layout instead of protobuf: <c>code u8, src id
/// (32 bytes), src addr u64</c>, then by code — STORE: <c>key(32) value u64 exp u32</c> (seconds to live);
/// FIND_*_REQ: <c>cookie u32 key(32)</c>; FIND_NODE_RSP: <c>cookie key n u8 {id(32) addr u64}×n</c>;
/// FIND_VALUE_RSP: the same, then <c>m u8 {value u64}×m</c>. Ids and keys are SHA3-256 sized; at most
/// <see cref="MaxContacts"/> contacts and <see cref="MaxValues"/> values.
/// </summary>
public sealed record DhtMessage(DhtCode Code, byte[] SourceId, ulong SourceAddress)
{
    public const int IdSize = 32;
    public const int MaxContacts = 16;
    public const int MaxValues = 8;

    public byte[] Key { get; init; } = new byte[IdSize];

    public ulong Value { get; init; }

    public uint Expiry { get; init; }

    public uint Cookie { get; init; }

    public IReadOnlyList<DhtContact> Contacts { get; init; } = [];

    public IReadOnlyList<ulong> Values { get; init; } = [];

    public int Size => 1 + IdSize + 8 + Code switch
    {
        DhtCode.Store => IdSize + 8 + 4,
        DhtCode.FindNodeRequest or DhtCode.FindValueRequest => 4 + IdSize,
        DhtCode.FindNodeResponse => 4 + IdSize + 1 + (Contacts.Count * (IdSize + 8)),
        _ => 4 + IdSize + 1 + (Contacts.Count * (IdSize + 8)) + 1 + (Values.Count * 8),
    };

    public byte[] ToArray()
    {
        if (SourceId.Length != IdSize || Key.Length != IdSize || Contacts.Count > MaxContacts || Values.Count > MaxValues || Contacts.Any(c => c.Id.Length != IdSize))
        {
            throw new InvalidOperationException("DHT message out of its limits.");
        }
        var bytes = new byte[Size];
        var w = new WireWriter(bytes);
        w.U8((byte)Code);
        w.Bytes(SourceId);
        w.U64(SourceAddress);
        if (Code == DhtCode.Store)
        {
            w.Bytes(Key);
            w.U64(Value);
            w.U32(Expiry);
            return bytes;
        }
        w.U32(Cookie);
        w.Bytes(Key);
        if (Code is DhtCode.FindNodeResponse or DhtCode.FindValueResponse)
        {
            w.U8((byte)Contacts.Count);
            foreach (var c in Contacts)
            {
                w.Bytes(c.Id);
                w.U64(c.Address);
            }
        }
        if (Code == DhtCode.FindValueResponse)
        {
            w.U8((byte)Values.Count);
            foreach (var v in Values)
            {
                w.U64(v);
            }
        }
        return bytes;
    }

    public static bool TryRead(ref SequenceReader<byte> reader, out DhtMessage message)
    {
        message = null!;
        var r = reader;
        if (!r.TryReadU8(out var code))
        {
            return false;
        }
        if (code > (byte)DhtCode.FindValueResponse)
        {
            throw new OverlayFormatException(OverlayFormatError.UnknownCode, $"DHT code {code}");
        }
        if (!r.TryReadBytes(IdSize, out var srcId) || !r.TryReadU64(out var srcAddr))
        {
            return false;
        }
        var m = new DhtMessage((DhtCode)code, srcId, srcAddr);
        if (m.Code == DhtCode.Store)
        {
            if (!r.TryReadBytes(IdSize, out var key) || !r.TryReadU64(out var value) || !r.TryReadU32(out var exp))
            {
                return false;
            }
            m = m with { Key = key, Value = value, Expiry = exp };
        }
        else
        {
            if (!r.TryReadU32(out var cookie) || !r.TryReadBytes(IdSize, out var key))
            {
                return false;
            }
            m = m with { Cookie = cookie, Key = key };
            if (m.Code is DhtCode.FindNodeResponse or DhtCode.FindValueResponse)
            {
                if (!TryReadContacts(ref r, out var contacts))
                {
                    return false;
                }
                m = m with { Contacts = contacts };
            }
            if (m.Code == DhtCode.FindValueResponse)
            {
                if (!r.TryReadU8(out var n))
                {
                    return false;
                }
                if (n > MaxValues)
                {
                    throw new OverlayFormatException(OverlayFormatError.TooLong, $"{n} DHT values, more than {MaxValues}");
                }
                var values = new ulong[n];
                for (var i = 0; i < n; i++)
                {
                    if (!r.TryReadU64(out values[i]))
                    {
                        return false;
                    }
                }
                m = m with { Values = values };
            }
        }
        message = m;
        reader = r;
        return true;
    }

    private static bool TryReadContacts(ref SequenceReader<byte> r, out DhtContact[] contacts)
    {
        contacts = [];
        if (!r.TryReadU8(out var n))
        {
            return false;
        }
        if (n > MaxContacts)
        {
            throw new OverlayFormatException(OverlayFormatError.TooLong, $"{n} DHT contacts, more than {MaxContacts}");
        }
        var list = new DhtContact[n];
        for (var i = 0; i < n; i++)
        {
            if (!r.TryReadBytes(IdSize, out var id) || !r.TryReadU64(out var addr))
            {
                return false;
            }
            list[i] = new DhtContact(id, addr);
        }
        contacts = list;
        return true;
    }

    public static DhtMessage Parse(ReadOnlySpan<byte> datagram) => WireReader.ParseDatagram<DhtMessage>(datagram, "DHT message", TryRead);
}
