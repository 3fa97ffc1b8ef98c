namespace Ouinet.Dht.Simulation;

/// <summary>Simulated time: it stands still while events run and jumps to the next event. One tick is one millisecond.</summary>
internal sealed class SimulationClock : TimeProvider
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public long NowMs { get; set; }

    public override long TimestampFrequency => 1000;

    public override long GetTimestamp() => NowMs;

    public override DateTimeOffset GetUtcNow() => Epoch.AddMilliseconds(NowMs);
}
