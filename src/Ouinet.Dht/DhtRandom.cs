using System.Security.Cryptography;

namespace Ouinet.Dht;

/// <summary>
/// Where the DHT's randomness comes from: the system's cryptographic generator in a real node (IDs, token secrets
/// and transaction IDs must not be predictable), or a seeded generator in the simulation so runs repeat exactly.
/// </summary>
public abstract class DhtRandom
{
    /// <summary>The cryptographic source, for real nodes.</summary>
    public static DhtRandom Secure { get; } = new SecureRandom();

    /// <summary>A reproducible source for simulations and tests. Never for a node on a real network.</summary>
    public static DhtRandom Seeded(int seed) => new SeededRandom(seed);

    public abstract void Fill(Span<byte> destination);

    /// <summary>A value in [0, <paramref name="maxExclusive"/>).</summary>
    public abstract int Next(int maxExclusive);

    public NodeId NextId()
    {
        Span<byte> bytes = stackalloc byte[NodeId.Size];
        Fill(bytes);
        return new NodeId(bytes);
    }

    private sealed class SecureRandom : DhtRandom
    {
        public override void Fill(Span<byte> destination) => RandomNumberGenerator.Fill(destination);

        public override int Next(int maxExclusive) => RandomNumberGenerator.GetInt32(maxExclusive);
    }

#pragma warning disable CA5394 // Deliberately predictable: simulations must be reproducible from their seed.
    private sealed class SeededRandom(int seed) : DhtRandom
    {
        private readonly Random _random = new(seed);

        public override void Fill(Span<byte> destination) => _random.NextBytes(destination);

        public override int Next(int maxExclusive) => _random.Next(maxExclusive);
    }
#pragma warning restore CA5394
}
