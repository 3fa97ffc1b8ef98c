using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Ouinet.Cache.Store;
using Ouinet.Client.Caching;
using Ouinet.Client.DistributedCache;
using Ouinet.Client.FrontEnd;
using Ouinet.Client.Logging;
using Ouinet.Client.Proxy;
using Ouinet.Client.Routing;
using Ouinet.Client.Tls;
using Ouinet.Client.Upstream;
using Ouinet.Injector.Origin;

namespace Ouinet.Client;

/// <summary>
/// A Ouinet client: the local HTTP proxy a browser (or any program) uses, with TLS interception, the request router
/// over the local cache, the origin, the injector as a proxy and the injector for injection, and the verified store.
/// Start it with <see cref="StartAsync"/> (returns the bound proxy endpoint), stop it with <see cref="StopAsync"/>.
/// See <see cref="OuinetClientBuilder"/> for a builder.
/// </summary>
public sealed class OuinetClient : IAsyncDisposable
{
    private readonly ConcurrentDictionary<Task, bool> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly SwitchedLoggerFactory _loggerFactory;
    private readonly LogFile _logFile;
    private Socket? _listener;
    private Task? _acceptLoop;
    private Task? _stopTask;
    private ClientCertificateAuthority? _authority;
    private X509Certificate2? _injectorCertificate;

    public OuinetClient(ClientOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Switches = new ClientSwitches(ClientSwitchState.From(options));
        _logFile = new LogFile(options.Repository, options.TimeProvider);
        _loggerFactory = new SwitchedLoggerFactory(loggerFactory ?? NullLoggerFactory.Instance, Switches, _logFile);
        Logger = _loggerFactory.CreateLogger("Ouinet.Client");
        Statistics = new RequestStatistics(options.TimeProvider);
    }

    public ClientOptions Options { get; }

    /// <summary>The bound proxy endpoint, once started.</summary>
    public IPEndPoint? ProxyEndPoint { get; private set; }

    /// <summary>The TLS interception CA (public part), once started; <see cref="CaCertificatePath"/> holds it too.</summary>
    public X509Certificate2 CaCertificate => (_authority ?? throw NotStarted()).Certificate;

    /// <summary>The CA in PEM, as served at <c>/ca.pem</c>.</summary>
    public string CaCertificatePem => (_authority ?? throw NotStarted()).CertificatePem;

    /// <summary><c>&lt;repo&gt;/ssl-ca-cert.pem</c>.</summary>
    public string CaCertificatePath => Path.Combine(Options.Repository, ClientCertificateAuthority.CertificateFileName);

    /// <summary>The local cache (own store and static cache); null when no <c>cache-http-public-key</c> is set.</summary>
    public LocalCache? Cache { get; private set; }

    /// <summary>
    /// The mechanisms the next request may use: the switches (<see cref="Switches"/>, changed at run time by the front-end)
    /// and what is configured (an injector, its key, a distributed cache).
    /// </summary>
    public EnabledMechanisms Mechanisms
    {
        get
        {
            var on = Switches.Current;
            return new EnabledMechanisms(
                Origin: on.OriginAccess,
                Proxy: Injector is not null && on.ProxyAccess,
                Injector: Injector is not null && Options.PublicKey is not null && on.InjectorAccess,
                DistributedCache: DistributedCache is not null && on.DistributedCache);
        }
    }

    /// <summary>The run-time switches (mechanisms, log level, log file); persistent options are saved from its <see cref="ClientSwitches.Changed"/>.</summary>
    public ClientSwitches Switches { get; }

    /// <summary>Where the client is in its life cycle.</summary>
    public ClientState State { get; private set; } = ClientState.Created;

    /// <summary>What the router did with recent requests (the dashboard's source).</summary>
    public RequestStatistics Statistics { get; }

    /// <summary>The distributed cache's state, while it runs; null when it is not enabled (the front-end says so).</summary>
    public IDistributedCacheStatus? DistributedCache { get; internal set; }

    /// <summary>The bound front-end endpoint, once started; null without a front-end (<see cref="ClientOptions.FrontEndEndPoint"/> null).</summary>
    public IPEndPoint? FrontEndEndPoint => FrontEnd?.EndPoint;

    /// <summary>The log file (<c>&lt;repo&gt;/log.txt</c>) written while <see cref="ClientSwitchState.LogFile"/> is on.</summary>
    public LogFile LogFile => _logFile;

    internal FrontEndServer? FrontEnd { get; private set; }

    private DistributedCacheService? _distributedCache;

    private Ouinet.Utp.UtpSocket? _ownUtp;

    /// <summary>Connections to the injector, when one is configured.</summary>
    public InjectorConnector? Injector { get; private set; }

    internal ILogger Logger { get; }

    internal CancellationToken Stopping => _stopping.Token;

    internal CancellationToken Abort => _abort.Token;

    internal LeafCertificateCache Leaves { get; private set; } = null!;

    internal OriginClient Origins { get; private set; } = null!;

    internal RequestRouter Router { get; private set; } = null!;

    internal RequestHandler Handler { get; private set; } = null!;

    /// <summary>
    /// Validates the options (throws <see cref="ClientOptionsException"/> listing every problem), prepares the repository
    /// (CA, store), binds the proxy endpoint and starts accepting. Returns the bound endpoint (port 0 resolved).
    /// </summary>
    public async Task<IPEndPoint> StartAsync(CancellationToken cancellationToken = default)
    {
        if (State != ClientState.Created)
        {
            throw new InvalidOperationException("The client is already started.");
        }
        var errors = Options.Validate();
        if (errors.Count > 0)
        {
            throw new ClientOptionsException(errors);
        }
        cancellationToken.ThrowIfCancellationRequested();
        State = ClientState.Starting;
        try
        {
            return await StartCoreAsync(cancellationToken);
        }
        catch
        {
            State = ClientState.Failed;
            _listener?.Dispose();
            _listener = null;
            if (FrontEnd is not null)
            {
                await FrontEnd.DisposeAsync();
            }
            throw;
        }
    }

    private async Task<IPEndPoint> StartCoreAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Options.Repository);
        _logFile.SetEnabled(Switches.Current.LogFile);
        Switches.Changed += state => _logFile.SetEnabled(state.LogFile);
        _authority = ClientCertificateAuthority.LoadOrCreate(Options.Repository, Options.TimeProvider);
        Leaves = new LeafCertificateCache(_authority, Options.TimeProvider);
        var key = Options.PublicKey;
        if (key is not null)
        {
            var store = SignedStore.Open(Options.Repository, logger: _loggerFactory.CreateLogger("Ouinet.Cache"));
            var staticStore = Options.StaticRepository is { } staticRepo
                ? SignedStore.Open(staticRepo, Options.CacheStaticRoot, new SignedStoreOptions { ReadOnly = true }, _loggerFactory.CreateLogger("Ouinet.Cache"))
                : null;
            Cache = new LocalCache(store, staticStore, key, Options.MaxCachedAge, Options.TimeProvider);
            Log.CacheOpened(Logger, store.Count, store.TotalBytes, staticStore?.Count ?? 0);
        }
        if (Options.UsesDistributedCache && Cache is not null && key is not null)
        {
            _distributedCache = await DistributedCacheService.StartAsync(Options, Cache, key, _loggerFactory, cancellationToken);
            DistributedCache = _distributedCache;
            var service = _distributedCache;
            Switches.Changed += state => service.SetEnabled(state.DistributedCache);
        }
        Origins = new OriginClient(new OriginClientOptions
        {
            AllowPrivateTargets = true, // the origin mechanism is how local targets are reached; the router keeps them off the injector
            ExtraTrustedCertificates = Options.ExtraTrustedCertificates,
            ConnectTimeout = Options.ConnectTimeout,
            IdleTimeout = Options.IdleTimeout,
            Limits = Options.Limits,
            Resolver = Options.OriginResolver,
            TimeProvider = Options.TimeProvider,
        });
        // Every configured mechanism is built; the switches (Mechanisms) decide per request which ones a plan uses.
        var mechanisms = new List<IMechanism> { new OriginMechanism(Origins) };
        // Without injector-ep, the distributed cache's DHT finds the injector (uTP+TLS) in its …/injectors swarm.
        var locator = Options.Injector is null && _distributedCache is not null ? new DhtInjectorLocator(_distributedCache) : null;
        if ((Options.Injector ?? (locator is null ? null : new InjectorEndpoint(InjectorTransport.Utp, new IPEndPoint(IPAddress.Any, 0)))) is { } endpoint)
        {
            _injectorCertificate = Options.InjectorTlsCertificateFile is { } file ? X509Certificate2.CreateFromPem(File.ReadAllText(file)) : null;
            // uTP (to a utp: injector, or to bridges) rides on the distributed cache's UDP socket when there is one, else on one of its own.
            var utp = _distributedCache?.Utp;
            if (utp is null && endpoint.Transport == InjectorTransport.Utp)
            {
                utp = _ownUtp = Ouinet.Utp.UtpSocket.Bind(new IPEndPoint(Options.UdpMuxAddress, 0), timeProvider: Options.TimeProvider, loggerFactory: _loggerFactory);
            }
            // Bridges (other clients relaying to the injector over uTP) come with the distributed cache's DHT and uTP socket.
            Injector = new InjectorConnector(endpoint, _injectorCertificate, Options.InjectorCredentials, Options.ConnectTimeout, Options.IdleTimeout, Options.Limits, Options.TimeProvider, utp, locator, Options.OverlayDialer,
                _distributedCache?.Bridges);
            _distributedCache?.AttachInjector(Injector);
            mechanisms.Add(new ProxyMechanism(Injector));
            if (key is not null)
            {
                mechanisms.Add(new InjectorMechanism(Injector, key, Cache, Options.CachePrivate, Logger, _distributedCache is { } dc ? dc.Announcer.Nudge : null));
            }
            var transport = endpoint.Transport switch
            {
                InjectorTransport.Utp => "uTP",
                InjectorTransport.Overlay => "an overlay flow",
                _ => "TCP",
            };
            var security = _injectorCertificate is null ? $"cleartext {transport}" : $"TLS over {transport}, pinned certificate";
            var name = locator is null ? endpoint.ToString() : "utp: found in " + locator.Description;
            Log.Injector(Logger, name, security);
        }
        if (_distributedCache is not null && Cache is not null)
        {
            mechanisms.Add(new DistCacheMechanism(_distributedCache, Cache, Options.CachePrivate, Logger));
        }
        if (Cache is not null)
        {
            mechanisms.Add(new CacheMechanism(Cache, stale: false));
            mechanisms.Add(new CacheMechanism(Cache, stale: true));
        }
        Router = new RequestRouter(mechanisms, Options.OriginRaceDelay, Options.TimeProvider, Logger);
        Handler = new RequestHandler(this);

        var listener = new Socket(Options.ListenOnTcp.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(Options.ListenOnTcp);
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            if (_distributedCache is not null)
            {
                await _distributedCache.DisposeAsync();
            }
            throw;
        }
        _listener = listener;
        ProxyEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        if (Options.FrontEndEndPoint is { } frontEndEndPoint)
        {
            FrontEnd = new FrontEndServer(this, _loggerFactory.CreateLogger("Ouinet.Client.FrontEnd"));
            await FrontEnd.StartAsync(frontEndEndPoint, cancellationToken);
            Log.FrontEndListening(Logger, FrontEnd.EndPoint);
        }
        Log.Listening(Logger, ProxyEndPoint);
        Log.CertificateAuthority(Logger, CaCertificatePath);
        var enabled = Describe(Mechanisms, Cache is not null);
        Log.Mechanisms(Logger, enabled);
        _acceptLoop = AcceptLoopAsync(listener);
        State = ClientState.Started;
        return ProxyEndPoint;
    }

    /// <summary>
    /// Stops accepting, closes idle browser connections, lets running requests finish within <paramref name="grace"/>
    /// (default 5 s), then aborts the rest. Idempotent.
    /// </summary>
    public Task StopAsync(TimeSpan? grace = null) => _stopTask ??= StopCoreAsync(grace ?? TimeSpan.FromSeconds(5));

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stopping.Dispose();
        _abort.Dispose();
    }

    private async Task StopCoreAsync(TimeSpan grace)
    {
        if (_listener is null)
        {
            return;
        }
        State = ClientState.Stopping;
        Log.Stopping(Logger, _connections.Count, grace);
        await _stopping.CancelAsync();
        _listener.Dispose();
        if (FrontEnd is not null)
        {
            await FrontEnd.DisposeAsync();
        }
        if (_acceptLoop is not null)
        {
            await _acceptLoop;
        }
        var all = Task.WhenAll(_connections.Keys);
        if (await Task.WhenAny(all, Task.Delay(grace, Options.TimeProvider)) != all)
        {
            await _abort.CancelAsync();
            foreach (var socket in _openSockets.Keys)
            {
                socket.Dispose();
            }
        }
        await all;
        if (Injector is not null)
        {
            await Injector.DisposeAsync();
        }
        if (_distributedCache is not null)
        {
            await _distributedCache.DisposeAsync();
        }
        if (_ownUtp is not null)
        {
            await _ownUtp.DisposeAsync();
        }
        await Origins.DisposeAsync();
        Leaves.Dispose();
        _authority?.Dispose();
        _injectorCertificate?.Dispose();
        State = ClientState.Stopped;
        Log.Stopped(Logger);
        _logFile.Dispose();
    }

    private readonly ConcurrentDictionary<Socket, bool> _openSockets = new();

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || _stopping.IsCancellationRequested)
            {
                break;
            }
            catch (SocketException e)
            {
                Log.AcceptFailed(Logger, e.Message);
                continue;
            }
            _openSockets[socket] = true;
            var connection = new ProxyConnection(this, socket);
            var task = Task.Run(() => connection.RunAsync(_abort.Token));
            _connections[task] = true;
            _ = task.ContinueWith(
                t =>
                {
                    _connections.TryRemove(t, out _);
                    _openSockets.TryRemove(socket, out _);
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private static string Describe(EnabledMechanisms m, bool cache) =>
        string.Join(", ", new[]
        {
            cache ? "local-cache" : null,
            m.Origin ? "origin" : null,
            m.Proxy ? "proxy" : null,
            m.Injector ? "injector" : null,
            m.DistributedCache ? "dist-cache" : null,
        }.Where(s => s is not null)) is { Length: > 0 } text ? text : "none";

    private static InvalidOperationException NotStarted() => new("The client is not started.");
}
