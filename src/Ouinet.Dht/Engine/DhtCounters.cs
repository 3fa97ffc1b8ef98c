namespace Ouinet.Dht.Engine;

/// <summary>Running totals for diagnosis and the benchmark. Only the engine's single logical thread writes them.</summary>
internal sealed class DhtCounters
{
    public long DatagramsReceived { get; set; }

    public long DatagramsSent { get; set; }

    public long QueriesSent { get; set; }

    public long QueriesReceived { get; set; }

    public long ResponsesReceived { get; set; }

    public long ErrorsReceived { get; set; }

    public long ErrorsSent { get; set; }

    public long Timeouts { get; set; }

    public long RateLimited { get; set; }

    public long Malformed { get; set; }

    public long Unsolicited { get; set; }

    public long OwnIdIgnored { get; set; }

    /// <summary>Sends the address filter refused (martians, or beyond loopback in a loopback-only node).</summary>
    public long Refused { get; set; }

    /// <summary>Queries not sent because <see cref="DhtOptions.MaxOutstandingQueries"/> were in flight.</summary>
    public long Deferred { get; set; }
}
