using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
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

    /// <summary>Bridges tried (one after another, each within the connect timeout) for one new connection.</summary>
    public const int MaxBridgesPerConnect = 4;
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
    /// A new connection: direct first, then through a bridge (when there are bridges and TLS is pinned: a bridge sees only
    /// ciphertext); once a bridge worked, bridges first (the last working route is preferred).
    /// </summary>
    private async Task<InjectorLink> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_bridges is null || _pinned is null)
        {
            return await ConnectDirectAsync(cancellationToken);
        }
        InjectorUnreachableException? failure = null;
        foreach (var throughBridge in _throughBridge ? new[] { true, false } : [false, true])
        {
            try
            {
                var link = throughBridge ? await ConnectThroughBridgeAsync(cancellationToken) : await ConnectDirectAsync(cancellationToken);
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

    private async Task<InjectorLink> ConnectDirectAsync(CancellationToken cancellationToken)
    {
        using var timeout = new IdleTimeout(_connectTimeout, _time, cancellationToken);
        var (socket, transport, utp) = await OpenTransportAsync(timeout);
        return await SecureAsync(socket, transport, utp, timeout);
    }

    /// <summary>
    /// A bridge's side of a tunnel: the raw transport to the injector (no TLS: the other client runs it end to end), only
    /// ever direct. Throws <see cref="InjectorUnreachableException"/>.
    /// </summary>
    public async Task<Stream> OpenDirectAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
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

    private async Task<InjectorLink> ConnectThroughBridgeAsync(CancellationToken cancellationToken)
    {
        var bridges = _bridges!;
        var utp = _utp ?? throw new InjectorUnreachableException("Bridges need the distributed cache's uTP socket.");
        // Bridges ignore the target (any CONNECT is to the injector); ours names it when we know it.
        var target = _endpoint.EndPoint is { Port: not 0 } known ? known.ToString() : "ouinet-injector:443";
        var tried = 0;
        // The lookup and all attempts together: each attempt has the connect timeout, the whole one more.
        using var search = new IdleTimeout(_connectTimeout * (MaxBridgesPerConnect + 1), _time, cancellationToken);
        try
        {
            await foreach (var bridge in bridges.FindAsync(search.Token))
            {
                using var timeout = new IdleTimeout(_connectTimeout, _time, cancellationToken);
                try
                {
                    Ouinet.Utp.UtpStream stream;
                    await _bridgeSetups.WaitAsync(timeout.Token);
                    try
                    {
                        stream = await BridgeTunnel.OpenAsync(utp, bridge, target, timeout.Token);
                    }
                    finally
                    {
                        _bridgeSetups.Release();
                    }
                    var link = await SecureAsync(null, stream, stream, timeout);
                    bridges.Worked(bridge);
                    return link;
                }
                catch (Exception e) when (e is InjectorUnreachableException || (e is OperationCanceledException && timeout.HasTimedOut))
                {
                    bridges.Failed(bridge, timeout.HasTimedOut ? $"nothing within {_connectTimeout.TotalSeconds:0.#} s" : e.Message);
                }
                if (++tried == MaxBridgesPerConnect)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (search.HasTimedOut)
        {
        }
        throw new InjectorUnreachableException(tried == 0
            ? $"no bridge found in {bridges.Description}"
            : $"none of {tried} bridges from {bridges.Description} reached the injector");
    }

    private async Task<(Socket? Socket, Stream Transport, Ouinet.Utp.UtpStream? Utp)> OpenTransportAsync(IdleTimeout timeout)
    {
        if (_endpoint.Transport == InjectorTransport.Utp)
        {
            var utp = _utp ?? throw new InjectorUnreachableException("No uTP socket for a utp: injector endpoint.");
            Ouinet.Utp.UtpStream stream;
            var target = _endpoint.EndPoint;
            try
            {
                if (_locator is not null)
                {
                    target = await _locator.LocateAsync(timeout.Token);
                }
                stream = await utp.ConnectAsync(target ?? throw new InvalidOperationException("A utp: injector endpoint without an address."), timeout.Token);
            }
            catch (Exception e) when (e is IOException || (e is OperationCanceledException && timeout.HasTimedOut))
            {
                if (target is not null)
                {
                    _locator?.Failed(target);
                }
                throw new InjectorUnreachableException($"Cannot connect to the injector at {(_locator is null ? _endpoint : $"utp:{target}")}: {e.Message}", e);
            }
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

    private async Task<InjectorLink> SecureAsync(Socket? socket, Stream transport, Ouinet.Utp.UtpStream? utpStream, IdleTimeout timeout)
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
                throw new InjectorUnreachableException($"TLS with the injector at {_endpoint} failed (is injector-tls-cert-file its tls-cert.pem?): {e.Message}", e);
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
