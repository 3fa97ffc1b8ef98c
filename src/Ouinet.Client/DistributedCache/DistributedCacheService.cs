using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Ouinet.Client.Caching;
using Ouinet.Client.Upstream;
using Ouinet.Dht;
using Ouinet.Net;
using Ouinet.Protocol.Keys;
using Ouinet.Utp;

namespace Ouinet.Client.DistributedCache;

/// <summary>
/// The distributed cache (<c>cache-type = bep5-http</c>): one UDP socket (<see cref="UdpMultiplexer"/>) shared by the DHT
/// node and uTP, the <see cref="PeerServer"/> on uTP, the <see cref="Announcer"/>, and the <see cref="PeerFetcher"/> the
/// <c>dist-cache</c> mechanism uses. Exposed to the front-end as <see cref="IDistributedCacheStatus"/>.
/// </summary>
internal sealed class DistributedCacheService : IDistributedCacheStatus, IAsyncDisposable
{
    public const string LastUsedPortFile = "last_used_udp_port";

    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private long _served;
    private long _fetched;
    private long _entriesServed;
    private long _entriesFetched;
    private long _rejected;
    private long _lookupsSucceeded;
    private long _lookupsFailed;
    private volatile bool _enabled;

    private DistributedCacheService(ClientOptions options, UdpMultiplexer mux, DhtNode dht, UtpSocket utp, LocalCache cache, InjectorPublicKey key, ILoggerFactory loggerFactory)
    {
        Options = options;
        Multiplexer = mux;
        Dht = dht;
        Utp = utp;
        Cache = cache;
        Key = key;
        Logger = loggerFactory.CreateLogger("Ouinet.Client.DistributedCache");
        _enabled = !options.DisableDistributedCache;
        Server = new PeerServer(utp, cache, this, options.DistributedCacheTimings, options.Limits, options.TimeProvider, Logger);
        Announcer = new Announcer(dht, cache, key, options, Logger);
        Fetcher = new PeerFetcher(this);
        Bridges = new DhtBridges(this);
        BridgeAnnouncer = new BridgeAnnouncer(this);
        Bridge = new BridgeRelay(this);
    }

    public ClientOptions Options { get; }

    public UdpMultiplexer Multiplexer { get; }

    public DhtNode Dht { get; }

    public UtpSocket Utp { get; }

    public LocalCache Cache { get; }

    public InjectorPublicKey Key { get; }

    public ILogger Logger { get; }

    public PeerServer Server { get; }

    public Announcer Announcer { get; }

    public PeerFetcher Fetcher { get; }

    /// <summary>Bridges to the injector found in the DHT, for the client's <see cref="InjectorConnector"/>.</summary>
    public DhtBridges Bridges { get; }

    public BridgeAnnouncer BridgeAnnouncer { get; }

    /// <summary>Our side of the tunnels other clients open through us.</summary>
    public BridgeRelay Bridge { get; }

    /// <summary>The client's connector to the injector once attached (<see cref="AttachInjector"/>): what we bridge peers to.</summary>
    public InjectorConnector? Injector { get; private set; }

    public CancellationToken Stopping => _stop.Token;

    /// <summary>Binds the UDP socket (Ouinet's order of ports), starts the DHT, the peer server and the announcer.</summary>
    public static async Task<DistributedCacheService> StartAsync(ClientOptions options, LocalCache cache, InjectorPublicKey key, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var mux = Bind(options);
        DhtNode? dht = null;
        UtpSocket? utp = null;
        try
        {
            var loopbackOnly = IPAddress.IsLoopback(options.UdpMuxAddress);
            dht = new DhtNode(new DhtOptions
            {
                RepositoryPath = options.Repository,
                BootstrapNodes = options.BootstrapEndPoints,
                UseDefaultBootstrapRouters = !options.BtBootstrapNoDefault,
                AllowMartians = options.BtAllowMartians || loopbackOnly,
            }, mux, options.TimeProvider, loggerFactory);
            utp = new UtpSocket(mux, new UtpSocketOptions { AcceptBacklog = 64 }, options.TimeProvider, loggerFactory);
            mux.Start();
            await dht.StartAsync(cancellationToken).ConfigureAwait(false);
            var service = new DistributedCacheService(options, mux, dht, utp, cache, key, loggerFactory);
            service._loops.Add(Task.Run(() => service.Server.RunAsync(service._stop.Token), CancellationToken.None));
            service._loops.Add(Task.Run(() => service.Announcer.RunAsync(service._stop.Token), CancellationToken.None));
            Log.DistributedCacheStarted(service.Logger, mux.LocalEndPoint, options.BootstrapEndPoints.Count, !options.BtBootstrapNoDefault && !loopbackOnly);
            return service;
        }
        catch
        {
            if (utp is not null)
            {
                await utp.DisposeAsync().ConfigureAwait(false);
            }
            if (dht is not null)
            {
                await dht.DisposeAsync().ConfigureAwait(false);
            }
            await mux.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static UdpMultiplexer Bind(ClientOptions options)
    {
        var portFile = Path.Combine(options.Repository, LastUsedPortFile);
        List<int> ports = [];
        if (options.UdpMuxPort is { } configured)
        {
            ports.Add(configured);
        }
        else
        {
            if (File.Exists(portFile) && int.TryParse(File.ReadAllText(portFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var last) && last is > 0 and < 65536)
            {
                ports.Add(last);
            }
            ports.Add(ClientOptions.DefaultUdpMuxPort);
            ports.Add(0);
        }
        SocketException? failure = null;
        foreach (var port in ports.Distinct())
        {
            try
            {
                var mux = UdpMultiplexer.Bind(new IPEndPoint(options.UdpMuxAddress, port));
                try
                {
                    File.WriteAllText(portFile, mux.LocalEndPoint.Port.ToString(CultureInfo.InvariantCulture));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                }
                return mux;
            }
            catch (SocketException e)
            {
                failure = e;
            }
        }
        throw new SocketException((int)(failure?.SocketErrorCode ?? SocketError.AddressAlreadyInUse), $"udp-mux-port: cannot bind UDP {options.UdpMuxAddress}:{string.Join("/", ports)}: {failure?.Message}");
    }

    /// <summary>
    /// The injector connector exists after the service (it rides on our uTP socket): from now on peers' <c>CONNECT</c> is
    /// bridged to it, and the bridge announcer runs.
    /// </summary>
    public void AttachInjector(InjectorConnector injector)
    {
        Injector = injector;
        _loops.Add(Task.Run(() => BridgeAnnouncer.RunAsync(injector, _stop.Token), CancellationToken.None));
    }

    internal void AddServed(int n) => Interlocked.Add(ref _served, n);

    internal void AddFetched(int n) => Interlocked.Add(ref _fetched, n);

    internal void AddEntryServed() => Interlocked.Increment(ref _entriesServed);

    internal void AddEntryFetched() => Interlocked.Increment(ref _entriesFetched);

    internal void AddRejected() => Interlocked.Increment(ref _rejected);

    internal void AddLookup(bool foundPeers) => Interlocked.Increment(ref foundPeers ? ref _lookupsSucceeded : ref _lookupsFailed);

    /// <summary>One consistent-enough reading for the front-end (counters are totals since start).</summary>
    public DistributedCacheSnapshot GetSnapshot()
    {
        var stats = Dht.GetStats();
        return new DistributedCacheSnapshot(
            stats.IsBootstrapped,
            stats.Nodes,
            stats.ExternalEndPoint,
            LocalEndPoint,
            [.. AnnouncedGroups],
            BytesServed,
            BytesFetched,
            Interlocked.Read(ref _lookupsSucceeded),
            Interlocked.Read(ref _lookupsFailed),
            Injector is { CanBridge: true } && !Options.DisableBridgeAnnouncement,
            BridgeAnnouncer.IsAnnounced,
            Bridge.BytesRelayed);
    }

    /// <summary>Whether fetching from other clients is on (the client's <c>DistributedCache</c> switch; announcing and serving go on).</summary>
    public bool IsEnabled => _enabled;

    public void SetEnabled(bool enabled)
    {
        _enabled = enabled;
        Log.DistributedCacheSwitched(Logger, enabled);
    }

    public bool IsBootstrapped => Dht.GetStats().IsBootstrapped;

    public int RoutingTableSize => Dht.GetStats().Nodes;

    public IPEndPoint LocalEndPoint => Multiplexer.LocalEndPoint;

    public IPEndPoint? PublicEndPoint => Dht.GetStats().ExternalEndPoint;

    public IReadOnlyCollection<string> AnnouncedGroups => Announcer.Announced;

    public int GroupsToAnnounce => Announcer.Count;

    public long BytesServed => Interlocked.Read(ref _served);

    public long BytesFetched => Interlocked.Read(ref _fetched);

    public long EntriesServed => Interlocked.Read(ref _entriesServed);

    public long EntriesFetched => Interlocked.Read(ref _entriesFetched);

    public long PeersRejected => Interlocked.Read(ref _rejected);

    public int PeerConnections => Server.OpenConnections;

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        await Utp.DisposeAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
        }
        await Dht.DisposeAsync().ConfigureAwait(false);
        await Multiplexer.DisposeAsync().ConfigureAwait(false);
        Announcer.Dispose();
        _stop.Dispose();
    }
}
