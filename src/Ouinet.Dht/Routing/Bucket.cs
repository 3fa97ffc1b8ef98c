namespace Ouinet.Dht.Routing;

/// <summary>
/// Up to k nodes that share the same number of leading bits with our ID, plus up to k replacements: nodes we would
/// take if one of them went bad. Replacements are kept most recent last.
/// </summary>
internal sealed class Bucket(long nowMs)
{
    public List<Contact> Nodes { get; } = [];

    public List<Contact> Replacements { get; } = [];

    /// <summary>BEP 5's "last changed": a node added, replaced, or answering a query.</summary>
    public long LastChangedMs { get; set; } = nowMs;

    /// <summary>When a refresh lookup last ran for this bucket.</summary>
    public long LastRefreshMs { get; set; } = -1;

    /// <summary>
    /// Wait before refreshing this bucket again while it is not full: it doubles after each refresh that leaves it
    /// not full (up to the 15-minute BEP 5 period), so a sparse corner of the keyspace costs little.
    /// </summary>
    public long SparseRefreshIntervalMs { get; set; }
}
