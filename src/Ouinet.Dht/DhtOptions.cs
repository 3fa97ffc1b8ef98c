using System.Net;

namespace Ouinet.Dht;

/// <summary>
/// How a DHT node behaves. Defaults follow BEP 5 (k = 8, α = 3, 15-minute node and bucket freshness, 5-minute token
/// secrets) and libtorrent where BEP 5 is silent (45-minute peer lifetime, values capped to fit one datagram).
/// </summary>
public sealed record DhtOptions
{
    /// <summary>
    /// The well-known public routers, the defaults for a real run (as Ouinet lists them, plus BitTorrent's own).
    /// Never used by a node bound to loopback: see <see cref="LoopbackOnly"/>.
    /// </summary>
    public static IReadOnlyList<DnsEndPoint> DefaultBootstrapRouters { get; } =
    [
        new("dht.libtorrent.org", 25401),
        new("dht.transmissionbt.com", 6881),
        new("router.bittorrent.com", 6881),
        new("router.utorrent.com", 6881),
        new("router.bt.ouinet.work", 6881),
        new("168.222.245.126", 6881),
        new("routerx.bt.ouinet.work", 5060),
    ];

    /// <summary>Extra bootstrap nodes (Ouinet's <c>bt-bootstrap-extra</c>): host names or IPs, treated as ordinary nodes.</summary>
    public IReadOnlyList<EndPoint> BootstrapNodes { get; init; } = [];

    /// <summary>Also bootstrap from <see cref="DefaultBootstrapRouters"/> (Ouinet's <c>bt-bootstrap-no-default</c> turns this off).</summary>
    public bool UseDefaultBootstrapRouters { get; init; } = true;

    /// <summary>
    /// Only ever send to 127.0.0.0/8 and resolve no names. Null: decided by the socket — true when it is bound to a
    /// loopback address. Tests and the testbed bind loopback, so they cannot reach the real DHT by mistake.
    /// </summary>
    public bool? LoopbackOnly { get; init; }

    /// <summary>Accept and pass on endpoints no public node can have (Ouinet's <c>bt-allow-martians</c>).</summary>
    public bool AllowMartians { get; init; }

    /// <summary>The repository folder; the node ID and good contacts are kept in its <c>dht/</c> subfolder. Null: nothing saved.</summary>
    public string? RepositoryPath { get; init; }

    /// <summary>A fixed node ID; when null the saved one is used, or a BEP 42 ID once our external address is known.</summary>
    public NodeId? NodeId { get; init; }

    /// <summary>BEP 43: query without entering others' routing tables, and answer no queries.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>k: nodes per bucket, and how many closest nodes a lookup converges on and announces to.</summary>
    public int BucketSize { get; init; } = 8;

    /// <summary>α: queries a lookup keeps in flight.</summary>
    public int Alpha { get; init; } = 3;

    /// <summary>A query with no answer after this has failed.</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Bounds of the adaptive "slow" timeout after which a lookup stops waiting for a query and asks another node
    /// (the late answer is still used). Between these, it follows the measured round-trip time.
    /// </summary>
    public TimeSpan MinSlowTimeout { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <inheritdoc cref="MinSlowTimeout"/>
    public TimeSpan MaxSlowTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A lookup ends after this whatever its state.</summary>
    public TimeSpan LookupTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Queries of ours waiting for an answer, at most; lookups wait for a free slot.</summary>
    public int MaxOutstandingQueries { get; init; } = 256;

    /// <summary>Queries a second we answer from one source (one IP; one IP and port on loopback), on average.</summary>
    public double QueriesPerSecondPerSource { get; init; } = 20;

    /// <summary>Queries we answer from one source in a burst.</summary>
    public int QueryBurstPerSource { get; init; } = 60;

    /// <summary>Sources the rate limiter tracks at most.</summary>
    public int MaxRateLimitedSources { get; init; } = 10_000;

    /// <summary>Swarms we store peers for, at most.</summary>
    public int MaxStoredSwarms { get; init; } = 2048;

    /// <summary>Peers we store per swarm, at most.</summary>
    public int MaxPeersPerSwarm { get; init; } = 256;

    /// <summary>How long an announced peer is kept without a new announce.</summary>
    public TimeSpan PeerTimeToLive { get; init; } = TimeSpan.FromMinutes(45);

    /// <summary>How often the token secret changes; a token is accepted for one to two of these.</summary>
    public TimeSpan TokenRotation { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest datagram we send; <c>values</c> are cut to fit.</summary>
    public int MaxResponseSize { get; init; } = 1400;

    /// <summary><see cref="DhtNode.KeepAnnounced"/> announces again after this.</summary>
    public TimeSpan AnnounceInterval { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>… or after this when no node took the announce.</summary>
    public TimeSpan AnnounceRetryInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>A node is good for this long after answering us, and a bucket untouched for this long is refreshed.</summary>
    public TimeSpan NodeFreshness { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Failed queries in a row that make a node bad.</summary>
    public int FailuresBeforeBad { get; init; } = 2;

    /// <summary>How often routing-table upkeep runs (pings, refreshes, expiry).</summary>
    public TimeSpan MaintenanceInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Pings upkeep may send per run.</summary>
    public int MaintenancePingsPerRun { get; init; } = 2;

    /// <summary>How often the routing table is saved to the repository.</summary>
    public TimeSpan SaveInterval { get; init; } = TimeSpan.FromMinutes(6);

    /// <summary>BEP 42: a full bucket swaps a node whose ID does not match its IP for one whose ID does.</summary>
    public bool PreferVerifiedNodeIds { get; init; } = true;

    /// <summary>
    /// Apply BEP 42 to local addresses too (normally exempt). Only the simulation sets it, so that its 127/8 nodes
    /// derive IDs from their addresses as public nodes do.
    /// </summary>
    public bool Bep42ForLocalAddresses { get; init; }

    /// <summary>The <c>v</c> key we send: two letters and two version bytes (BEP 20 style); null sends none.</summary>
    public ReadOnlyMemory<byte>? Version { get; init; } = "OU\0\u0001"u8.ToArray();

    /// <summary>Every problem with these options (empty when they are usable).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Check(bool ok, string message)
        {
            if (!ok)
            {
                errors.Add(message);
            }
        }
        Check(BucketSize is >= 1 and <= 64, "BucketSize must be 1 to 64.");
        Check(Alpha is >= 1 and <= 16, "Alpha must be 1 to 16.");
        Check(QueryTimeout > TimeSpan.Zero, "QueryTimeout must be positive.");
        Check(MinSlowTimeout > TimeSpan.Zero && MinSlowTimeout <= MaxSlowTimeout, "MinSlowTimeout must be positive and at most MaxSlowTimeout.");
        Check(MaxSlowTimeout <= QueryTimeout, "MaxSlowTimeout must not exceed QueryTimeout.");
        Check(LookupTimeout > TimeSpan.Zero, "LookupTimeout must be positive.");
        Check(MaxOutstandingQueries >= Alpha, "MaxOutstandingQueries must be at least Alpha.");
        Check(QueriesPerSecondPerSource > 0 && QueryBurstPerSource >= 1, "Rate limits must be positive.");
        Check(MaxRateLimitedSources >= 1, "MaxRateLimitedSources must be positive.");
        Check(MaxStoredSwarms >= 1 && MaxPeersPerSwarm >= 1, "Peer store bounds must be positive.");
        Check(PeerTimeToLive > TimeSpan.Zero, "PeerTimeToLive must be positive.");
        Check(TokenRotation > TimeSpan.Zero, "TokenRotation must be positive.");
        Check(MaxResponseSize is >= 512 and <= 65507, "MaxResponseSize must be 512 to 65507 bytes.");
        Check(AnnounceInterval > TimeSpan.Zero && AnnounceRetryInterval > TimeSpan.Zero, "Announce intervals must be positive.");
        Check(NodeFreshness > TimeSpan.Zero, "NodeFreshness must be positive.");
        Check(FailuresBeforeBad >= 1, "FailuresBeforeBad must be at least 1.");
        Check(MaintenanceInterval > TimeSpan.Zero, "MaintenanceInterval must be positive.");
        Check(MaintenancePingsPerRun >= 0, "MaintenancePingsPerRun must not be negative.");
        Check(SaveInterval > TimeSpan.Zero, "SaveInterval must be positive.");
        Check(Version is null || Version.Value.Length <= 16, "Version must be at most 16 bytes.");
        foreach (var node in BootstrapNodes)
        {
            Check(node is IPEndPoint or DnsEndPoint, $"Bootstrap node {node} must be an IP or host endpoint.");
        }
        return errors;
    }
}
