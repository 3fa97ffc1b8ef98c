using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Ouinet.Cache.Store;
using Ouinet.Client.Caching;
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
    private readonly ILoggerFactory _loggerFactory;
    private Socket? _listener;
    private Task? _acceptLoop;
    private Task? _stopTask;
    private ClientCertificateAuthority? _authority;
    private X509Certificate2? _injectorCertificate;

    public OuinetClient(ClientOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        Logger = _loggerFactory.CreateLogger("Ouinet.Client");
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

    /// <summary>The mechanisms in use (the options' switches and what is configured).</summary>
    public EnabledMechanisms Mechanisms { get; private set; } = new();

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
    public Task<IPEndPoint> StartAsync(CancellationToken cancellationToken = default)
    {
        if (_listener is not null)
        {
            throw new InvalidOperationException("The client is already started.");
        }
        var errors = Options.Validate();
        if (errors.Count > 0)
        {
            throw new ClientOptionsException(errors);
        }
        cancellationToken.ThrowIfCancellationRequested();
        Directory.CreateDirectory(Options.Repository);
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
        if (Options.CacheTypes.Contains("bep5-http"))
        {
            Log.NoDistributedCache(Logger);
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
        var mechanisms = new List<IMechanism>();
        if (!Options.DisableOriginAccess)
        {
            mechanisms.Add(new OriginMechanism(Origins));
        }
        if (Options.Injector is { } endpoint)
        {
            _injectorCertificate = Options.InjectorTlsCertificateFile is { } file ? X509Certificate2.CreateFromPem(File.ReadAllText(file)) : null;
            Injector = new InjectorConnector(endpoint, _injectorCertificate, Options.InjectorCredentials, Options.ConnectTimeout, Options.IdleTimeout, Options.Limits, Options.TimeProvider, Options.OverlayDialer);
            if (!Options.DisableProxyAccess)
            {
                mechanisms.Add(new ProxyMechanism(Injector));
            }
            if (!Options.DisableInjectorAccess && key is not null)
            {
                mechanisms.Add(new InjectorMechanism(Injector, key, Cache, Options.CachePrivate, Logger));
            }
            var security = _injectorCertificate is null ? "cleartext TCP" : "TLS, pinned certificate";
            if (endpoint.Transport == InjectorTransport.Overlay)
            {
                security = (_injectorCertificate is null ? "cleartext" : "TLS, pinned certificate") + ", over an overlay flow";
            }
            var name = endpoint.ToString();
            Log.Injector(Logger, name, security);
        }
        if (Cache is not null)
        {
            mechanisms.Add(new CacheMechanism(Cache, stale: false));
            mechanisms.Add(new CacheMechanism(Cache, stale: true));
        }
        Mechanisms = new EnabledMechanisms(
            Origin: !Options.DisableOriginAccess,
            Proxy: Injector is not null && !Options.DisableProxyAccess,
            Injector: Injector is not null && key is not null && !Options.DisableInjectorAccess,
            DistributedCache: false);
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
            throw;
        }
        _listener = listener;
        ProxyEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        Log.Listening(Logger, ProxyEndPoint);
        Log.CertificateAuthority(Logger, CaCertificatePath);
        var enabled = Describe(Mechanisms, Cache is not null);
        Log.Mechanisms(Logger, enabled);
        _acceptLoop = AcceptLoopAsync(listener);
        return Task.FromResult(ProxyEndPoint);
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
        Log.Stopping(Logger, _connections.Count, grace);
        await _stopping.CancelAsync();
        _listener.Dispose();
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
        await Origins.DisposeAsync();
        Leaves.Dispose();
        _authority?.Dispose();
        _injectorCertificate?.Dispose();
        Log.Stopped(Logger);
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
        }.Where(s => s is not null)) is { Length: > 0 } text ? text : "none";

    private static InvalidOperationException NotStarted() => new("The client is not started.");
}
