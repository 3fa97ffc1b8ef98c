using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Ouinet.Http;
using Ouinet.Injector;

namespace Ouinet.Client.Upstream;

/// <summary>Why talking to the injector failed before a response head arrived.</summary>
public sealed class InjectorUnreachableException : Exception
{
    public InjectorUnreachableException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    public InjectorUnreachableException()
        : this("The injector could not be reached.")
    {
    }

    public InjectorUnreachableException(string message)
        : this(message, null)
    {
    }
}

/// <summary>
/// Connections to the injector: TCP or an overlay flow (<c>overlay:NAME</c>, through the host's
/// <see cref="OverlayDialer"/>), or TLS over either, pinned to exactly the certificate of <c>injector-tls-cert-file</c> (no
/// name check, no system CAs, as Ouinet C++: the injector's certificate is self-signed for <c>localhost</c>), with
/// <c>Proxy-Authorization: Basic</c> from <c>injector-credentials</c> on every request. Finished keep-alive connections
/// are pooled (at most <see cref="MaxIdle"/>); one found dead is replaced once for a request without a body. With
/// <see cref="IInjectorBridges"/> and a pinned certificate, an injector that cannot be reached directly is reached with TLS
/// through another client (<see cref="BridgeTunnel"/>).
/// Connecting (with TLS) is bounded by the connect timeout, waiting for a response head by the idle timeout.
/// </summary>
public sealed class InjectorConnector : IAsyncDisposable
{
    public const int MaxIdle = 16;

    private static readonly TimeSpan PooledLifetime = TimeSpan.FromSeconds(50);

    private readonly InjectorEndpoint _endpoint;
    private readonly X509Certificate2? _pinned;
    private readonly TimeSpan _connectTimeout;
    private readonly TimeSpan _idleTimeout;
    private readonly HttpLimits _limits;
    private readonly TimeProvider _time;
    private readonly OverlayDialer? _overlay;
    private readonly Stack<InjectorLink> _idle = new();
    private readonly Lock _lock = new();
    private readonly IInjectorBridges? _bridges;
    // At most two tunnels being set up at once: a bridge counts a connection under its few per-peer serving slots until
    // the CONNECT is answered, so a burst of parallel setups would be reset there.
    private readonly SemaphoreSlim _bridgeSetups = new(2);
    private volatile bool _throughBridge;
    private bool _disposed;

    public InjectorConnector(InjectorEndpoint endpoint, X509Certificate2? pinnedCertificate, string? credentials, TimeSpan connectTimeout, TimeSpan idleTimeout, HttpLimits limits, TimeProvider time,
        Ouinet.Utp.UtpSocket? utp = null, IInjectorLocator? locator = null, OverlayDialer? overlay = null, IInjectorBridges? bridges = null)
    {
        _utp = utp;
        _bridges = bridges;
        _locator = locator;
        _overlay = overlay;
        _endpoint = endpoint;
        _pinned = pinnedCertificate;
        _connectTimeout = connectTimeout;
        _idleTimeout = idleTimeout;
        _limits = limits;
        _time = time;
        Authorization = credentials is null ? null : "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials));
    }

    /// <summary>The <c>Proxy-Authorization</c> value sent with every request, if any.</summary>
    public string? Authorization { get; }

    public InjectorEndpoint Endpoint => _endpoint;

    /// <summary>Whether this client can bridge others to the injector: TLS is pinned, so what it reaches is the injector's TLS endpoint (a bridge carries TLS only).</summary>
    public bool CanBridge => _pinned is not null;

    /// <summary>Connections opened so far (tests check reuse with it).</summary>
    public int ConnectionsOpened { get; private set; }

    /// <summary>
    /// Sends <paramref name="head"/> (absolute-form target; <c>Proxy-Authorization</c> is added here) with an optional
    /// body and returns the response head with its body reader. Throws <see cref="InjectorUnreachableException"/> when
    /// no response head came.
    /// </summary>
    public async Task<InjectorResponse> SendAsync(HttpRequestHead head, ReadOnlyMemory<byte>? body, Action? onProgress, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Authorization is not null)
        {
            head.Fields.Set("Proxy-Authorization", Authorization);
        }
        while (true)
        {
            var link = TakeIdle() ?? await ConnectAsync(cancellationToken);
            try
            {
                return await ExchangeAsync(link, head, body, onProgress, cancellationToken);
            }
            catch (InjectorUnreachableException) when (link.IsReused && body is null && !cancellationToken.IsCancellationRequested)
            {
                // Closed by the injector while it sat in the pool: try a fresh connection.
                await link.DisposeAsync();
            }
            catch
            {
                await link.DisposeAsync();
                throw;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<InjectorLink> all;
        lock (_lock)
        {
            _disposed = true;
            all = [.. _idle];
            _idle.Clear();
        }
        foreach (var link in all)
        {
            await link.DisposeAsync();
        }
    }

    internal async ValueTask ReturnAsync(InjectorLink link)
    {
        link.IsReused = true;
        link.IdleSince = _time.GetTimestamp();
        lock (_lock)
        {
            if (!_disposed && _idle.Count < MaxIdle)
            {
                _idle.Push(link);
                return;
            }
        }
        await link.DisposeAsync();
    }

    private async Task<InjectorResponse> ExchangeAsync(InjectorLink link, HttpRequestHead head, ReadOnlyMemory<byte>? body, Action? onProgress, CancellationToken cancellationToken)
    {
        using var idle = new IdleTimeout(_idleTimeout, _time, cancellationToken);
        link.Progress.OnProgress = () =>
        {
            idle.Reset();
            onProgress?.Invoke();
        };
        try
        {
            HttpWriter.WriteRequestHead(link.Writer, head);
            if (body is { } bytes)
            {
                link.Writer.Write(bytes.Span);
            }
            await link.Writer.FlushAsync(idle.Token);
            HttpResponseHead response;
            do
            {
                response = await link.Reader.ReadResponseHeadAsync(idle.Token);
            }
            while (response.StatusCode < 200);
            var reader = link.Reader.ReadResponseBody(response, head.Method);
            var keepAlive = response.Version == HttpProtocolVersion.Http11 && reader.Framing != BodyFraming.UntilClose
                && !HasClose(response.Fields) && !HasClose(head.Fields);
            link.Progress.OnProgress = onProgress;
            return new InjectorResponse(this, link, response, reader, keepAlive);
        }
        catch (OperationCanceledException e) when (idle.HasTimedOut)
        {
            throw new InjectorUnreachableException($"The injector sent nothing for {_idleTimeout.TotalSeconds:0.#} s.", e);
        }
        catch (Exception e) when (e is HttpParseException or IOException or SocketException or ObjectDisposedException && !cancellationToken.IsCancellationRequested)
        {
            throw new InjectorUnreachableException($"The injector connection broke: {e.Message}", e);
        }
    }

    private InjectorLink? TakeIdle()
    {
        List<InjectorLink>? stale = null;
        InjectorLink? found = null;
        lock (_lock)
        {
            while (_idle.TryPop(out var candidate))
            {
                if (_time.GetElapsedTime(candidate.IdleSince) < PooledLifetime && candidate.IsIdleAndOpen())
                {
                    found = candidate;
                    break;
                }
                (stale ??= []).Add(candidate);
            }
        }
        foreach (var link in stale ?? [])
        {
            _ = link.DisposeAsync().AsTask();
        }
        return found;
    }

    private readonly Ouinet.Utp.UtpSocket? _utp;
    private readonly IInjectorLocator? _locator;

    /// <summary>
    /// A new connection. With <c>injector-ep</c>: direct first, then through a bridge (when there are bridges and TLS is
    /// pinned: a bridge sees only ciphertext); once a bridge worked, bridges first (the last working route is preferred).
    /// Found in the DHT: a <see cref="ConnectRace"/> over the last working route, the swarm's injectors, then the bridges.
    /// </summary>
    private async Task<InjectorLink> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_locator is not null)
        {
            var withBridges = _bridges is not null && _pinned is not null;
            return await RaceAsync(DhtRoutesAsync(withBridges, cancellationToken), bridgesOnly: false, cancellationToken, withBridges);
        }
        if (_bridges is null || _pinned is null)
        {
            return await ConnectDirectAsync(cancellationToken);
        }
        InjectorUnreachableException? failure = null;
        foreach (var throughBridge in _throughBridge ? new[] { true, false } : [false, true])
        {
            try
            {
                var link = throughBridge ? await RaceAsync(BridgeRoutesAsync, bridgesOnly: true, cancellationToken) : await ConnectDirectAsync(cancellationToken);
                _throughBridge = throughBridge;
                return link;
            }
            catch (InjectorUnreachableException e) when (!cancellationToken.IsCancellationRequested)
            {
                failure = failure is null ? e : new InjectorUnreachableException($"{failure.Message}; {e.Message}", failure);
            }
        }
        throw failure!;
    }

    /// <summary>To the injector's own endpoint (never through a bridge): <c>injector-ep</c>'s, or one found in the DHT.</summary>
    private async Task<InjectorLink> ConnectDirectAsync(CancellationToken cancellationToken)
    {
        if (_locator is not null)
        {
            return await RaceAsync(DhtRoutesAsync(withBridges: false, cancellationToken), bridgesOnly: false, cancellationToken);
        }
        using var timeout = new IdleTimeout(_connectTimeout, _time, cancellationToken);
        var (socket, transport, utp) = await OpenTransportAsync(timeout);
        return await SecureAsync(socket, transport, utp, timeout);
    }

    /// <summary>
    /// A bridge's side of a tunnel: the raw transport to the injector (no TLS: the other client runs it end to end), only
    /// ever direct. Found in the DHT: to the endpoint that last passed pinned TLS (one is raced for first if none has).
    /// Throws <see cref="InjectorUnreachableException"/>.
    /// </summary>
    public async Task<Stream> OpenDirectAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_locator is not null)
        {
            if (Volatile.Read(ref _lastRoute) is not { ThroughBridge: false } route)
            {
                await ReturnAsync(await ConnectDirectAsync(cancellationToken));
                route = Volatile.Read(ref _lastRoute) ?? throw new InjectorUnreachableException($"No injector found in {_locator.Description}.");
            }
            using var connect = new IdleTimeout(_connectTimeout, _time, cancellationToken);
            return await OpenUtpAsync(route.EndPoint, connect);
        }
        using var timeout = new IdleTimeout(_connectTimeout, _time, cancellationToken);
        return (await OpenTransportAsync(timeout)).Transport;
    }

    /// <summary>
    /// One direct TLS connection to the injector (the certificate pinned: an authentic injector), kept in the pool; once
    /// it worked the direct route is preferred again. What the bridge announcer runs each round; throws
    /// <see cref="InjectorUnreachableException"/>.
    /// </summary>
    public async Task CheckDirectAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var link = await ConnectDirectAsync(cancellationToken);
        _throughBridge = false;
        await ReturnAsync(link);
    }

    /// <summary>One way to the injector tried by a <see cref="ConnectRace"/>: its uTP endpoint, or a bridge's.</summary>
    private sealed record Route(IPEndPoint EndPoint, bool ThroughBridge)
    {
        public override string ToString() => ThroughBridge ? $"bridge {EndPoint}" : $"utp:{EndPoint}";
    }

    /// <summary>The last route that worked (found in the DHT); tried first.</summary>
    private Route? _lastRoute;

    /// <summary>The last working route, then the injectors swarm's endpoints, then (<paramref name="withBridges"/>) the bridges.</summary>
    private async IAsyncEnumerable<Route> DhtRoutesAsync(bool withBridges, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var last = Volatile.Read(ref _lastRoute);
        if (last is not null && (withBridges || !last.ThroughBridge))
        {
            yield return last;
        }
        await foreach (var injector in _locator!.FindAsync(cancellationToken))
        {
            if (!injector.Equals(last?.EndPoint))
            {
                yield return new Route(injector, ThroughBridge: false);
            }
        }
        if (withBridges)
        {
            await foreach (var bridge in BridgeRoutesAsync(cancellationToken))
            {
                if (bridge != last)
                {
                    yield return bridge;
                }
            }
        }
    }

    private async IAsyncEnumerable<Route> BridgeRoutesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var bridge in _bridges!.FindAsync(cancellationToken))
        {
            yield return new Route(bridge, ThroughBridge: true);
        }
    }

    private Task<InjectorLink> RaceAsync(Func<CancellationToken, IAsyncEnumerable<Route>> routes, bool bridgesOnly, CancellationToken cancellationToken) =>
        RaceAsync(routes(cancellationToken), bridgesOnly, cancellationToken);

    /// <summary>
    /// The first route of <paramref name="routes"/> to complete TLS (pinned: only the injector can), the others cancelled
    /// and closed. The lookups and all attempts together get <see cref="RaceTimeoutFactor"/> connect timeouts.
    /// </summary>
    private async Task<InjectorLink> RaceAsync(IAsyncEnumerable<Route> routes, bool bridgesOnly, CancellationToken cancellationToken, bool withBridges = false)
    {
        var where = bridgesOnly ? _bridges!.Description : $"{_locator!.Description}{(withBridges ? " or " + _bridges!.Description : "")}";
        string Describe(IReadOnlyList<string> failures) => (bridgesOnly, failures.Count) switch
        {
            (true, 0) => $"no bridge found in {where}",
            (true, _) => $"none of {failures.Count} bridges from {where} reached the injector: {string.Join("; ", failures)}",
            (false, 0) => $"No injector found in {where}.",
            _ => $"None of {failures.Count} endpoints from {where} was the injector: {string.Join("; ", failures)}",
        };
        using var race = new IdleTimeout(_connectTimeout * RaceTimeoutFactor, _time, cancellationToken);
        try
        {
            var (route, link) = await ConnectRace.RunAsync(routes, AttemptAsync, static link => link.DisposeAsync(), RouteFailed, Describe,
                ConnectRace.Spacing, ConnectRace.MaxInFlight, _time, race.Token);
            RouteWorked(route);
            return link;
        }
        catch (OperationCanceledException e) when (race.HasTimedOut)
        {
            throw new InjectorUnreachableException($"Nothing from {where} reached the injector within {(_connectTimeout * RaceTimeoutFactor).TotalSeconds:0.#} s", e);
        }
    }

    /// <summary>The whole of a race (lookups included), in connect timeouts.</summary>
    private const int RaceTimeoutFactor = 5;

    private void RouteWorked(Route route)
    {
        if (route.ThroughBridge)
        {
            _bridges!.Worked(route.EndPoint);
        }
        else
        {
            _locator?.Worked(route.EndPoint);
        }
        Volatile.Write(ref _lastRoute, _locator is null ? null : route);
    }

    private void RouteFailed(Route route, Exception error)
    {
        Interlocked.CompareExchange(ref _lastRoute, null, route);
        if (route.ThroughBridge)
        {
            _bridges!.Failed(route.EndPoint, error.Message);
        }
        else
        {
            _locator?.Failed(route.EndPoint, error.Message);
        }
    }

    /// <summary>One attempt of a race: a uTP connection to the injector or a tunnel through a bridge, then TLS, within the connect timeout.</summary>
    private async Task<InjectorLink> AttemptAsync(Route route, CancellationToken cancellationToken)
    {
        using var timeout = new IdleTimeout(_connectTimeout, _time, cancellationToken);
        try
        {
            if (!route.ThroughBridge)
            {
                var direct = await OpenUtpAsync(route.EndPoint, timeout);
                return await SecureAsync(null, direct, direct, timeout, route.ToString());
            }
            var utp = _utp ?? throw new InjectorUnreachableException("Bridges need the distributed cache's uTP socket.");
            // Bridges ignore the target (any CONNECT is to the injector); ours names it when we know it.
            var target = _endpoint.EndPoint is { Port: not 0 } known ? known.ToString() : "ouinet-injector:443";
            Ouinet.Utp.UtpStream stream;
            await _bridgeSetups.WaitAsync(timeout.Token);
            try
            {
                stream = await BridgeTunnel.OpenAsync(utp, route.EndPoint, target, timeout.Token);
            }
            finally
            {
                _bridgeSetups.Release();
            }
            return await SecureAsync(null, stream, stream, timeout, route.ToString());
        }
        catch (OperationCanceledException e) when (timeout.HasTimedOut)
        {
            throw new InjectorUnreachableException($"nothing within {_connectTimeout.TotalSeconds:0.#} s", e);
        }
    }

    private async Task<Ouinet.Utp.UtpStream> OpenUtpAsync(IPEndPoint target, IdleTimeout timeout)
    {
        var utp = _utp ?? throw new InjectorUnreachableException("No uTP socket for a utp: injector endpoint.");
        try
        {
            return await utp.ConnectAsync(target, timeout.Token);
        }
        catch (Exception e) when (e is IOException || (e is OperationCanceledException && timeout.HasTimedOut))
        {
            throw new InjectorUnreachableException($"Cannot connect to the injector at utp:{target}: {e.Message}", e);
        }
    }

    private async Task<(Socket? Socket, Stream Transport, Ouinet.Utp.UtpStream? Utp)> OpenTransportAsync(IdleTimeout timeout)
    {
        if (_endpoint.Transport == InjectorTransport.Utp)
        {
            var stream = await OpenUtpAsync(_endpoint.EndPoint ?? throw new InvalidOperationException("A utp: injector endpoint without an address."), timeout);
            return (null, stream, stream);
        }
        Socket? socket = null;
        Stream transport;
        try
        {
            if (_endpoint.Transport == InjectorTransport.Overlay)
            {
                var dial = _overlay ?? throw new InvalidOperationException("injector-ep overlay: without an overlay node");
                transport = await dial(_endpoint.OverlayName!, timeout.Token);
            }
            else
            {
                socket = new Socket(_endpoint.EndPoint!.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(_endpoint.EndPoint, timeout.Token);
                transport = new NetworkStream(socket, ownsSocket: true);
            }
        }
        catch (Exception e) when (e is SocketException or IOException || (e is OperationCanceledException && timeout.HasTimedOut))
        {
            socket?.Dispose();
            throw new InjectorUnreachableException($"Cannot connect to the injector at {_endpoint}: {e.Message}", e);
        }
        catch
        {
            socket?.Dispose();
            throw;
        }
        return (socket, transport, null);
    }

    private async Task<InjectorLink> SecureAsync(Socket? socket, Stream transport, Ouinet.Utp.UtpStream? utpStream, IdleTimeout timeout, string? where = null)
    {
        if (_pinned is not null)
        {
            var tls = new SslStream(transport, leaveInnerStreamOpen: false);
            try
            {
                await tls.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions
                    {
                        TargetHost = "localhost",
                        RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(_pinned.RawData),
                        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                        ApplicationProtocols = [SslApplicationProtocol.Http11],
                    },
                    timeout.Token);
            }
            catch (Exception e) when (e is AuthenticationException or IOException or SocketException || (e is OperationCanceledException && timeout.HasTimedOut))
            {
                await tls.DisposeAsync();
                throw new InjectorUnreachableException($"TLS with the injector at {where ?? _endpoint.ToString()} failed (is injector-tls-cert-file its tls-cert.pem?): {e.Message}", e);
            }
            catch
            {
                await tls.DisposeAsync();
                throw;
            }
            transport = tls;
        }
        lock (_lock)
        {
            ConnectionsOpened++;
        }
        return new InjectorLink(socket, transport, _limits, utpStream);
    }

    private static bool HasClose(HttpFields fields) =>
        fields.GetAll("Connection").Any(v => v.Split(',').Any(t => t.Trim().Equals("close", StringComparison.OrdinalIgnoreCase)));
}

/// <summary>One connection to the injector with its HTTP reader and writer.</summary>
internal sealed class InjectorLink : IAsyncDisposable
{
    /// <summary><paramref name="socket"/> and <paramref name="utp"/> are null over an overlay flow (nothing to poll: a flow found dead on use is replaced as a pooled TCP one is).</summary>
    public InjectorLink(Socket? socket, Stream transport, HttpLimits limits, Ouinet.Utp.UtpStream? utp = null)
    {
        Socket = socket;
        Utp = utp;
        Progress = new ProgressStream(transport);
        Input = PipeReader.Create(Progress, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, leaveOpen: true));
        Reader = new HttpMessageReader(Input, limits, leaveOpen: true);
        Writer = PipeWriter.Create(Progress, new StreamPipeWriterOptions(minimumBufferSize: 16 * 1024, leaveOpen: true));
    }

    public Socket? Socket { get; }

    public Ouinet.Utp.UtpStream? Utp { get; }

    public ProgressStream Progress { get; }

    public PipeReader Input { get; }

    public HttpMessageReader Reader { get; }

    public PipeWriter Writer { get; }

    public bool IsReused { get; set; }

    public long IdleSince { get; set; }

    public bool IsIdleAndOpen()
    {
        try
        {
            if (Socket is null)
            {
                // uTP: not closed either way; overlay (neither): nothing to poll, see the constructor.
                return Utp is null || (!Utp.ReadsClosed.IsCompleted && !Utp.WritesClosed.IsCompleted);
            }
            return Socket.Connected && !Socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Reader.DisposeAsync();
        await Input.CompleteAsync();
        await Writer.CompleteAsync();
        try
        {
            await Progress.DisposeAsync();
        }
        catch (IOException)
        {
        }
        Socket?.Dispose();
        if (Utp is not null)
        {
            await Utp.DisposeAsync();
        }
    }
}

/// <summary>The injector's response head and body; dispose it once done (a finished keep-alive connection goes back to the pool).</summary>
public sealed class InjectorResponse : IAsyncDisposable
{
    private readonly InjectorConnector _connector;
    private readonly InjectorLink _link;
    private bool _disposed;

    internal InjectorResponse(InjectorConnector connector, InjectorLink link, HttpResponseHead head, HttpBodyReader body, bool keepAlive)
    {
        _connector = connector;
        _link = link;
        Head = head;
        Body = body;
        KeepAlive = keepAlive;
    }

    public HttpResponseHead Head { get; }

    public HttpBodyReader Body { get; }

    public bool KeepAlive { get; }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _link.Progress.OnProgress = null;
        if (KeepAlive && Body.IsCompleted)
        {
            await _connector.ReturnAsync(_link);
        }
        else
        {
            await _link.DisposeAsync();
        }
    }
}
