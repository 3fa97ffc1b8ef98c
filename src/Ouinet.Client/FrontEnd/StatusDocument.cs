using System.Reflection;
using System.Text.Json.Nodes;
using Ouinet.Client.Logging;
using Ouinet.Protocol;

namespace Ouinet.Client.FrontEnd;

/// <summary>
/// <c>/api/status</c> and <c>/api/endpoints</c> with Ouinet's field names (implementation notes, "Front-end"), plus ours
/// for what the page shows beyond Ouinet's (each named in the same style, documented in the README).
/// </summary>
internal static class StatusDocument
{
    public static string Version { get; } = typeof(StatusDocument).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>"degraded" reasons: the injector does not answer, the DHT is not bootstrapped.</summary>
    public static IReadOnlyList<string> DegradedReasons(FrontEndServer server)
    {
        var reasons = new List<string>();
        var client = server.Client;
        if (server.Probe?.Last is { Reachable: false } probe)
        {
            reasons.Add($"injector unreachable ({probe.Error})");
        }
        if (client.DistributedCache?.GetSnapshot() is { Bootstrapped: false })
        {
            reasons.Add("DHT not bootstrapped");
        }
        return reasons;
    }

    public static JsonObject Status(FrontEndServer server)
    {
        var client = server.Client;
        var options = client.Options;
        var on = client.Switches.Current;
        var reasons = DegradedReasons(server);
        var state = client.State == ClientState.Started && reasons.Count > 0 ? "degraded" : client.State.Name();
        var probe = server.Probe?.Last;
        var dist = client.DistributedCache?.GetSnapshot();
        var store = client.Cache?.Store;
        var json = new JsonObject
        {
            ["auto_refresh"] = true,
            ["origin_access"] = on.OriginAccess,
            ["proxy_access"] = on.ProxyAccess,
            ["injector_access"] = on.InjectorAccess,
            ["distributed_cache"] = on.DistributedCache,
            ["injector_peers_n"] = probe is { Reachable: true } ? 1 : 0,
            ["injector_ready"] = probe is { Reachable: true },
            ["max_cached_age"] = options.MaxCachedAge is { } age ? (long)age.TotalSeconds : -1,
            ["ouinet_version"] = Version.Split('+')[0],
            ["ouinet_build_id"] = Version.Contains('+', StringComparison.Ordinal) ? Version[(Version.IndexOf('+', StringComparison.Ordinal) + 1)..] : "unknown",
            ["ouinet_protocol"] = ProtocolVersion.Current.Value,
            ["state"] = state,
            ["logfile"] = on.LogFile,
            ["bridge_announcement"] = dist?.BridgeAnnouncement ?? false,
            ["metrics_enabled"] = false,
            ["dns_protocols"] = new JsonArray("plain"),
            ["udp_mux_rx_limit"] = 0,
            ["csrf"] = server.CsrfToken,
            ["local_cache_size"] = store?.TotalBytes ?? 0,
            // Ours, beyond Ouinet's fields:
            ["state_reason"] = reasons.Count > 0 ? string.Join("; ", reasons) : null,
            ["log_level"] = OuinetLogLevels.Name(on.LogLevel),
            ["proxy_endpoint"] = client.ProxyEndPoint?.ToString(),
            ["frontend_endpoint"] = server.Authority,
            ["local_cache_entries"] = store?.Count ?? 0,
            ["local_cache_enabled"] = store is not null,
            ["injector_endpoint"] = options.InjectorEndpoint,
            ["injector_reachable"] = probe?.Reachable,
            ["injector_checked"] = probe?.CheckedAt.ToString("O"),
            ["injector_pubkey"] = options.PublicKey?.ToHex(),
            ["requests_total"] = client.Statistics.Total,
            ["mechanisms_available"] = new JsonObject
            {
                ["origin_access"] = true,
                ["proxy_access"] = client.Injector is not null,
                ["injector_access"] = client.Injector is not null && options.PublicKey is not null,
                ["distributed_cache"] = client.DistributedCache is not null,
            },
            ["static_cache"] = client.Cache?.StaticCache is { } staticCache
                ? new JsonObject { ["root"] = options.CacheStaticRoot, ["entries"] = staticCache.Count }
                : null,
            ["dht"] = dist is null ? null : new JsonObject
            {
                ["bootstrapped"] = dist.Bootstrapped,
                ["routing_table_size"] = dist.RoutingTableSize,
                ["public_endpoint"] = dist.PublicEndPoint?.ToString(),
                ["announced_groups"] = dist.AnnouncedGroups.Count,
                ["bytes_to_peers"] = dist.BytesToPeers,
                ["bytes_from_peers"] = dist.BytesFromPeers,
                ["lookups_succeeded"] = dist.LookupsSucceeded,
                ["lookups_failed"] = dist.LookupsFailed,
                ["announced_as_bridge"] = dist.AnnouncedAsBridge,
                ["bytes_bridged"] = dist.BytesBridged,
            },
        };
        if (dist is not null)
        {
            json["local_udp_endpoints"] = dist.LocalEndPoint is { } local ? new JsonArray(local.ToString()) : new JsonArray();
            json["public_udp_endpoints"] = dist.PublicEndPoint is { } pub ? new JsonArray(pub.ToString()) : new JsonArray();
        }
        return json;
    }

    public static JsonObject Endpoints(FrontEndServer server) => new()
    {
        ["proxy_endpoint"] = server.Client.ProxyEndPoint?.ToString(),
        ["frontend_tcp_endpoint"] = server.Authority,
        ["frontend_unix_socket_endpoint"] = null,
    };
}
