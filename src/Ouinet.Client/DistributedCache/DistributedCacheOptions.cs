using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Ouinet.Client;

/// <summary>The distributed cache's options (<c>cache-type = bep5-http</c>), Ouinet's names in the comments.</summary>
public sealed partial record ClientOptions
{
    /// <summary>Ouinet's default UDP port for the DHT and uTP (<c>default_udp_port</c>).</summary>
    public const int DefaultUdpMuxPort = 28729;

    /// <summary>
    /// <c>udp-mux-port</c>: the UDP port shared by the DHT and uTP. Null: the port in <c>&lt;repo&gt;/last_used_udp_port</c>,
    /// else 28729, else any free port (Ouinet's order); 0: any free port.
    /// </summary>
    public int? UdpMuxPort { get; init; }

    /// <summary><c>udp-mux-address</c> (ours): the address the UDP socket binds to. 127.0.0.1 keeps the DHT on loopback (tests, testbed).</summary>
    public IPAddress UdpMuxAddress { get; init; } = IPAddress.Any;

    /// <summary><c>bt-bootstrap-extra</c>: <c>HOST</c> or <c>HOST:PORT</c> (port 6881 by default), IPv6 as <c>[ADDR]:PORT</c>.</summary>
    public IReadOnlyList<string> BtBootstrapExtra { get; init; } = [];

    /// <summary><c>bt-bootstrap-no-default</c>: only the extra bootstrap nodes, not the public routers.</summary>
    public bool BtBootstrapNoDefault { get; init; }

    /// <summary><c>bt-allow-martians</c>: accept DHT peers with endpoints no public node can have (loopback, …) — for tests.</summary>
    public bool BtAllowMartians { get; init; }

    /// <summary><c>max-simultaneous-announcements</c>: group announcements running at once (Ouinet: 16, 1 on Android).</summary>
    public int MaxSimultaneousAnnouncements { get; init; } = 16;

    /// <summary><c>disable-bridge-announcement</c>: do not announce this client in the bridges swarm.</summary>
    public bool DisableBridgeAnnouncement { get; init; }

    /// <summary>Timings of the distributed cache (Ouinet's defaults; tests shorten some).</summary>
    public DistributedCacheTimings DistributedCacheTimings { get; init; } = new();

    /// <summary>Whether <c>cache-type</c> asks for the distributed cache.</summary>
    public bool UsesDistributedCache => CacheTypes.Contains("bep5-http");

    /// <summary>The parsed <see cref="BtBootstrapExtra"/> (only valid ones; see <see cref="Validate"/>).</summary>
    public IReadOnlyList<EndPoint> BootstrapEndPoints => [.. BtBootstrapExtra.Select(t => TryParseBootstrap(t, out var ep) ? ep : null).OfType<EndPoint>()];

    /// <summary>Parses a <c>bt-bootstrap-extra</c> value: <c>HOST</c>, <c>HOST:PORT</c>, <c>IP</c>, <c>IP:PORT</c>, <c>[IPv6]</c>, <c>[IPv6]:PORT</c>.</summary>
    public static bool TryParseBootstrap(string text, out EndPoint? endpoint)
    {
        endpoint = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        text = text.Trim();
        if (IPAddress.TryParse(text.Trim('[', ']'), out var bare) && (bare.AddressFamily == AddressFamily.InterNetwork || text.StartsWith('[')))
        {
            endpoint = new IPEndPoint(bare, 6881);
            return true;
        }
        if (IPEndPoint.TryParse(text, out var ip) && ip.Port != 0 && (ip.AddressFamily == AddressFamily.InterNetwork || text.StartsWith('[')))
        {
            endpoint = ip;
            return true;
        }
        var colon = text.LastIndexOf(':');
        var host = colon < 0 ? text : text[..colon];
        var port = 6881;
        if (colon >= 0 && (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            return false;
        }
        if (host.Length == 0 || Uri.CheckHostName(host) != UriHostNameType.Dns)
        {
            return false;
        }
        endpoint = new DnsEndPoint(host, port);
        return true;
    }

    private void ValidateDistributedCache(List<string> errors)
    {
        if (UdpMuxPort is { } port && port is < 0 or > 65535)
        {
            errors.Add("udp-mux-port: must be from 0 to 65535");
        }
        if (UdpMuxAddress is null)
        {
            errors.Add("udp-mux-address: an IP address is required");
        }
        foreach (var text in BtBootstrapExtra ?? [])
        {
            if (!TryParseBootstrap(text, out _))
            {
                errors.Add($"bt-bootstrap-extra \"{text}\": expected HOST, HOST:PORT, IP:PORT or [IPv6]:PORT");
            }
        }
        if (MaxSimultaneousAnnouncements < 1)
        {
            errors.Add("max-simultaneous-announcements: must be at least 1");
        }
        if (DistributedCacheTimings is null)
        {
            errors.Add("the distributed cache timings must be set");
        }
    }
}

/// <summary>
/// The distributed cache's timings: Ouinet's (<c>shared/spec/ouinet-implementation-notes.md</c> §2.7, §2.10) unless noted.
/// </summary>
public sealed record DistributedCacheTimings
{
    /// <summary>A group is announced again this long after a successful announce (Ouinet: 20 min).</summary>
    public TimeSpan AnnounceInterval { get; init; } = TimeSpan.FromMinutes(20);

    /// <summary>…and this long after a failed round (Ouinet: 5 min).</summary>
    public TimeSpan AnnounceRetryInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Tries per announce round, waiting 1 s, 2 s, 3 s… between them (Ouinet: 3).</summary>
    public int AnnounceTries { get; init; } = 3;

    /// <summary>How often the store's index is compared with what is announced (ours: new entries are announced within this).</summary>
    public TimeSpan StoreScanInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Connecting to a peer and receiving its response head (Ouinet: head 10 s).</summary>
    public TimeSpan PeerHeadTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest silence while a peer sends a body (Ouinet: chunk body 15 s).</summary>
    public TimeSpan PeerBodyTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a fetch looks for peers before giving up (ours).</summary>
    public TimeSpan LookupTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>After the first good head, how long other peers' heads are awaited to pick the newest injection (ours).</summary>
    public TimeSpan NewestInjectionGrace { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Peers asked at once (ours).</summary>
    public int ParallelPeers { get; init; } = 3;

    /// <summary>Connections one peer (IP) may have open to our peer server at once (ours).</summary>
    public int MaxConnectionsPerPeer { get; init; } = 4;

    /// <summary>Connections our peer server serves at once (ours).</summary>
    public int MaxPeerConnections { get; init; } = 64;

    /// <summary>A peer connection may wait this long for its next request (Ouinet servers: 55 s); also a bridge tunnel's longest silence.</summary>
    public TimeSpan PeerKeepAlive { get; init; } = TimeSpan.FromSeconds(55);

    /// <summary>Tunnels to the injector one peer (IP) may have through us at once (ours: its pool of 16 and then some).</summary>
    public int MaxTunnelsPerPeer { get; init; } = 24;

    /// <summary>Tunnels to the injector through us at once (ours).</summary>
    public int MaxTunnels { get; init; } = 96;

    /// <summary>A bridge checks the injector directly and announces itself again this often (Ouinet: about 10 min).</summary>
    public TimeSpan BridgeAnnounceInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>…and this long after the injector did not answer directly (ours).</summary>
    public TimeSpan BridgeRetryInterval { get; init; } = TimeSpan.FromMinutes(1);
}
