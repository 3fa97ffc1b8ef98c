using System.Text.Json.Nodes;
using Ouinet.Client.Routing;

namespace Ouinet.Client.FrontEnd;

/// <summary>
/// <c>/api/dashboard</c> (ours): requests per minute by source over the last hour, the recent requests with their source
/// and verification, and the distributed cache's samples (routing-table size, bytes to and from peers, lookups).
/// </summary>
internal static class DashboardDocument
{
    public static JsonObject Build(FrontEndServer server)
    {
        var statistics = server.Client.Statistics;
        var minutes = new JsonArray();
        foreach (var minute in statistics.LastHour())
        {
            var counts = new JsonObject { ["t"] = minute.Start.ToUnixTimeSeconds() };
            foreach (var source in RequestStatistics.Sources)
            {
                counts[source] = minute.BySource.GetValueOrDefault(source);
            }
            minutes.Add(counts);
        }
        var recent = new JsonArray();
        foreach (var r in statistics.Recent().Take(50))
        {
            recent.Add(new JsonObject
            {
                ["time"] = r.Time.ToString("O"),
                ["method"] = r.Method,
                ["uri"] = r.Uri,
                ["source"] = r.Source,
                ["status"] = r.Status,
                ["verification"] = r.Verification,
            });
        }
        var peers = new JsonArray();
        foreach (var s in server.Peers.Samples())
        {
            peers.Add(new JsonObject
            {
                ["t"] = s.Time.ToUnixTimeSeconds(),
                ["routing_table_size"] = s.RoutingTableSize,
                ["bytes_to_peers"] = s.BytesToPeers,
                ["bytes_from_peers"] = s.BytesFromPeers,
                ["lookups_succeeded"] = s.LookupsSucceeded,
                ["lookups_failed"] = s.LookupsFailed,
            });
        }
        return new JsonObject
        {
            ["sources"] = new JsonArray([.. RequestStatistics.Sources.Select(s => (JsonNode)s)]),
            ["requests_total"] = statistics.Total,
            ["minutes"] = minutes,
            ["recent"] = recent,
            ["distributed_cache"] = server.Client.DistributedCache is not null,
            ["peers"] = peers,
        };
    }
}
