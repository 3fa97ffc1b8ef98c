using System.Security.Cryptography;
using System.Text;
using Ouinet.Protocol.Keys;

namespace Ouinet.Protocol.Dht;

/// <summary>
/// A BitTorrent DHT swarm used by Ouinet, <c>ed25519:&lt;base32 key&gt;/v&lt;version&gt;/…</c>, and its info-hash
/// (the SHA-1 of the name's UTF-8 bytes): where peers holding an injector's entries for a URI or resource group
/// announce themselves, and where the injectors and bridges themselves are found.
/// </summary>
public sealed class SwarmName : IEquatable<SwarmName>
{
    /// <summary>Size of an info-hash in bytes.</summary>
    public const int InfoHashSize = 20;

    private readonly byte[] _infoHash;

    private SwarmName(string name)
    {
        Name = name;
        // SHA-1 is what BitTorrent info-hashes are (BEP 5); it names a swarm, it protects nothing.
#pragma warning disable CA5350
        _infoHash = SHA1.HashData(Encoding.UTF8.GetBytes(name));
#pragma warning restore CA5350
    }

    /// <summary>The swarm name.</summary>
    public string Name { get; }

    /// <summary>The 20-byte info-hash to announce and look up.</summary>
    public ReadOnlySpan<byte> InfoHash => _infoHash;

    /// <summary>The info-hash in lower-case hex.</summary>
    public string InfoHashHex => Convert.ToHexStringLower(_infoHash);

    /// <summary>The swarm of the entries for one URI: <c>ed25519:&lt;key&gt;/v&lt;version&gt;/uri/&lt;uri&gt;</c>.</summary>
    public static SwarmName ForUri(InjectorPublicKey key, ProtocolVersion version, string uri) =>
        new($"{Prefix(key, version)}/uri/{uri}");

    /// <summary>
    /// The swarm of a resource group: the same form with the group name in place of the URI
    /// (the spec's <c>…/uri/&lt;resource-group&gt;</c>).
    /// </summary>
    public static SwarmName ForGroup(InjectorPublicKey key, ProtocolVersion version, string group) => ForUri(key, version, group);

    /// <summary>Where injectors announce themselves: <c>ed25519:&lt;key&gt;/v&lt;version&gt;/injectors</c>.</summary>
    public static SwarmName Injectors(InjectorPublicKey key, ProtocolVersion version) => new($"{Prefix(key, version)}/injectors");

    /// <summary>Where bridges to the injectors announce themselves: <c>ed25519:&lt;key&gt;/v&lt;version&gt;/bridges</c>.</summary>
    public static SwarmName Bridges(InjectorPublicKey key, ProtocolVersion version) => new($"{Prefix(key, version)}/bridges");

    /// <inheritdoc/>
    public bool Equals(SwarmName? other) => other is not null && Name == other.Name;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as SwarmName);

    /// <inheritdoc/>
    public override int GetHashCode() => Name.GetHashCode(StringComparison.Ordinal);

    /// <summary>The name.</summary>
    public override string ToString() => Name;

    private static string Prefix(InjectorPublicKey key, ProtocolVersion version)
    {
        ArgumentNullException.ThrowIfNull(key);
        return $"ed25519:{key.ToBase32()}/v{version}";
    }
}
