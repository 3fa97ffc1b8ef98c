using System.Globalization;
using System.Text;

namespace Ouinet.Dht.Simulation;

/// <summary>What a simulation measured.</summary>
public sealed record SimulationReport
{
    public required SimulationOptions Options { get; init; }

    public int Lookups { get; init; }

    /// <summary>Lookups that returned the announcing node's endpoint.</summary>
    public int Successful { get; init; }

    public double SuccessRate => Lookups == 0 ? 0 : (double)Successful / Lookups;

    /// <summary>Simulated time from start to the first peer, over successful lookups.</summary>
    public TimeSpan MedianTimeToPeer { get; init; }

    public TimeSpan P95TimeToPeer { get; init; }

    /// <summary>Simulated time from start to the end of the lookup (convergence), over all lookups.</summary>
    public TimeSpan MedianLookupTime { get; init; }

    public TimeSpan P95LookupTime { get; init; }

    /// <summary>Queries the lookup sent plus responses it received, per lookup.</summary>
    public double MeanMessagesPerLookup { get; init; }

    public double MedianMessagesPerLookup { get; init; }

    public double P95MessagesPerLookup { get; init; }

    /// <summary>Queries sent per lookup (the part that costs other nodes).</summary>
    public double MeanQueriesPerLookup { get; init; }

    public int Announces { get; init; }

    /// <summary>Mean number of nodes that accepted an announce (at most k).</summary>
    public double MeanAnnounceAccepted { get; init; }

    public TimeSpan MedianAnnounceTime { get; init; }

    /// <summary>Managed heap per node after settling (bytes), or 0 if not measured.</summary>
    public long MemoryPerNodeBytes { get; init; }

    public double MeanRoutingTableSize { get; init; }

    /// <summary>All datagrams sent, per node per simulated second, over the whole run.</summary>
    public double DatagramsPerNodeSecond { get; init; }

    public int NodesJoined { get; init; }

    public int NodesLeft { get; init; }

    public TimeSpan SimulatedTime { get; init; }

    public TimeSpan WallTime { get; init; }

    public long Events { get; init; }

    public string ToMarkdown()
    {
        var o = Options;
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"| measure | value |");
        s.AppendLine("|---|---|");
        s.AppendLine(CultureInfo.InvariantCulture, $"| nodes | {o.Nodes:N0} (+{NodesJoined:N0} joined, {NodesLeft:N0} left during measurement) |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| network | {o.Latency.TotalMilliseconds:0} ms one-way (+0–{o.Jitter.TotalMilliseconds:0} ms jitter), {o.Loss:P0} loss, {o.Churn:P0} churn |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| get_peers lookups finding the announced peer | {Successful:N0} / {Lookups:N0} = **{SuccessRate:P2}** |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| time to first peer, median / p95 | **{MedianTimeToPeer.TotalSeconds:0.000} s** / {P95TimeToPeer.TotalSeconds:0.000} s |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| time to lookup end, median / p95 | **{MedianLookupTime.TotalSeconds:0.000} s** / {P95LookupTime.TotalSeconds:0.000} s |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| messages per lookup (queries + responses), mean / median / p95 | **{MeanMessagesPerLookup:0.0}** / {MedianMessagesPerLookup:0} / {P95MessagesPerLookup:0} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| queries sent per lookup, mean | {MeanQueriesPerLookup:0.0} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| announces: nodes accepting (of k), mean; median time | {MeanAnnounceAccepted:0.00} of {o.Dht.BucketSize}; {MedianAnnounceTime.TotalSeconds:0.000} s ({Announces:N0} announces) |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| memory per node (managed heap after settling) | {(MemoryPerNodeBytes > 0 ? $"{MemoryPerNodeBytes / 1024.0:0.0} KiB" : "not measured")} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| routing table size, mean | {MeanRoutingTableSize:0.0} nodes |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| background traffic | {DatagramsPerNodeSecond:0.00} datagrams sent per node per second |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| run | {SimulatedTime.TotalMinutes:0} min simulated in {WallTime.TotalSeconds:0} s wall, {Events:N0} events |");
        return s.ToString();
    }
}
