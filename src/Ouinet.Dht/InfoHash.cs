using System.Diagnostics.CodeAnalysis;

namespace Ouinet.Dht;

/// <summary>
/// The 20-byte key of a swarm (BEP 3's SHA-1 info-hash; for Ouinet the SHA-1 of a swarm name). It lives in the same
/// keyspace as node IDs: peers for it are stored on the nodes whose IDs are closest.
/// </summary>
public readonly record struct InfoHash(NodeId Key)
{
    public InfoHash(ReadOnlySpan<byte> bytes)
        : this(new NodeId(bytes))
    {
    }

    /// <summary>SHA-1 of <paramref name="data"/>, e.g. of a swarm name.</summary>
#pragma warning disable CA5350 // SHA-1 is what BitTorrent keys swarms by; it names, it does not protect.
    public static InfoHash Of(ReadOnlySpan<byte> data) => new(System.Security.Cryptography.SHA1.HashData(data));
#pragma warning restore CA5350

    public static bool TryParse([NotNullWhen(true)] string? text, out InfoHash infoHash)
    {
        var ok = NodeId.TryParse(text, out var key);
        infoHash = new InfoHash(key);
        return ok;
    }

    public static InfoHash Parse(string text) => new(NodeId.Parse(text));

    public byte[] ToArray() => Key.ToArray();

    public override string ToString() => Key.ToString();
}
