namespace Ouinet.Dht.Simulation;

/// <summary>
/// A simulated DHT run: nodes join over <see cref="JoinPeriod"/>, settle, some announce, then during
/// <see cref="MeasurementPeriod"/> a fraction <see cref="Churn"/> of the nodes leave (and as many new ones join)
/// while <see cref="Lookups"/> <c>get_peers</c> lookups for the announced info-hashes are measured.
/// </summary>
public sealed record SimulationOptions
{
    public int Nodes { get; init; } = 10_000;

    /// <summary>One-way delay of every datagram.</summary>
    public TimeSpan Latency { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Extra one-way delay, uniform in [0, Jitter).</summary>
    public TimeSpan Jitter { get; init; } = TimeSpan.Zero;

    /// <summary>Probability that a datagram is lost.</summary>
    public double Loss { get; init; } = 0.05;

    /// <summary>Fraction of the nodes replaced by new ones during the measurement period.</summary>
    public double Churn { get; init; } = 0.2;

    public TimeSpan JoinPeriod { get; init; } = TimeSpan.FromMinutes(10);

    public TimeSpan SettlePeriod { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Announces are spread over this period, before churn starts.</summary>
    public TimeSpan AnnouncePeriod { get; init; } = TimeSpan.FromMinutes(1);

    public TimeSpan MeasurementPeriod { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Distinct info-hashes, each announced by one node.</summary>
    public int InfoHashes { get; init; } = 200;

    /// <summary>Measured lookups, each for one announced info-hash, from a random node online for a minute or more.</summary>
    public int Lookups { get; init; } = 1000;

    public int Seed { get; init; } = 1;

    /// <summary>The nodes' options; the simulation fixes the address-related ones (loopback-only, BEP 42 on 127/8, IDs).</summary>
    public DhtOptions Dht { get; init; } = new();

    /// <summary>Measure the heap per node after the network has settled (a full garbage collection; slow for big runs).</summary>
    public bool MeasureMemory { get; init; } = true;
}
