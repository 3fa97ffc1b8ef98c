using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Ouinet.Injector.Origin;

namespace Ouinet.Injector;

/// <summary>How an endpoint is reached.</summary>
public enum InjectorEndpointKind
{
    /// <summary>Cleartext HTTP over TCP (<c>listen-on-tcp</c>).</summary>
    Tcp,

    /// <summary>HTTP over TLS over TCP (<c>listen-on-tcp-tls</c>).</summary>
    TcpTls,
}

/// <summary>An endpoint the injector listens on, as bound (a port-0 request shows the port the system picked).</summary>
public sealed record InjectorEndpoint(InjectorEndpointKind Kind, IPEndPoint EndPoint)
{
    public override string ToString() => $"{(Kind == InjectorEndpointKind.Tcp ? "tcp" : "tcp-tls")}:{EndPoint}";
}

/// <summary>
/// The injector: listens on TCP and TLS endpoints, and for each request on each connection (keep-alive, pipelined,
/// answered in order) injects (signs an origin response), proxies, tunnels (CONNECT) or refuses. Run it in-process:
/// <see cref="StartAsync"/> binds and returns the endpoints; <see cref="StopAsync"/> stops accepting, lets running
/// requests finish within a grace time, then aborts the rest.
/// </summary>
public sealed class InjectorServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<InjectorConnection, Task> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly List<(Socket Socket, InjectorEndpoint Endpoint)> _listeners = [];
    private readonly List<Task> _acceptLoops = [];
    private Task? _stopTask;
    private int _started;

    public InjectorServer(InjectorOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"Invalid injector options: {string.Join("; ", errors)}.", nameof(options));
        }
        Options = options;
        Logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Ouinet.Injector");
        Origins = new OriginClient(options.ToOriginOptions());
        Credentials = options.Credentials is null ? null : ProxyCredentials.TryParse(options.Credentials, out var c) ? c : null;
        Restricted = options.Restricted is null
            ? null
            : new Regex($"^(?:{options.Restricted})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        if (options.TlsCertificate is { } certificate)
        {
            TlsContext = SslStreamCertificateContext.Create(certificate, null, offline: true);
        }
    }

    public InjectorOptions Options { get; }

    /// <summary>The endpoints bound by <see cref="StartAsync"/>.</summary>
    public IReadOnlyList<InjectorEndpoint> Endpoints => [.. _listeners.Select(l => l.Endpoint)];

    /// <summary>Connections open right now.</summary>
    public int ConnectionCount => _connections.Count;

    internal ILogger Logger { get; }

    internal OriginClient Origins { get; }

    internal ProxyCredentials? Credentials { get; }

    internal Regex? Restricted { get; }

    internal SslStreamCertificateContext? TlsContext { get; }

    /// <summary>Canceled when the server stops accepting: idle connections close, busy ones finish their request.</summary>
    internal CancellationToken Stopping => _stopping.Token;

    /// <summary>Canceled when the grace time is over: everything still running is aborted.</summary>
    internal CancellationToken Abort => _abort.Token;

    /// <summary>Binds every endpoint, logs the public key and the endpoints, and starts accepting.</summary>
    public Task<IReadOnlyList<InjectorEndpoint>> StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The injector was already started.");
        }
        var publicKey = Options.SigningKey.PublicKey.ToHex();
        Log.PublicKey(Logger, publicKey);
        try
        {
            foreach (var (kind, endpoints) in new[] { (InjectorEndpointKind.Tcp, Options.TcpEndpoints), (InjectorEndpointKind.TcpTls, Options.TlsEndpoints) })
            {
                foreach (var endpoint in endpoints)
                {
                    var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                    try
                    {
                        if (endpoint.AddressFamily == AddressFamily.InterNetworkV6 && endpoint.Address.Equals(IPAddress.IPv6Any))
                        {
                            socket.DualMode = true;
                        }
                        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                        socket.Bind(endpoint);
                        socket.Listen(512);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                    var bound = new InjectorEndpoint(kind, (IPEndPoint)socket.LocalEndPoint!);
                    _listeners.Add((socket, bound));
                    Log.Listening(Logger, bound);
                }
            }
        }
        catch
        {
            foreach (var (socket, _) in _listeners)
            {
                socket.Dispose();
            }
            _listeners.Clear();
            throw;
        }
        foreach (var (socket, endpoint) in _listeners)
        {
            _acceptLoops.Add(AcceptLoopAsync(socket, endpoint));
        }
        foreach (var listener in Options.StreamListeners)
        {
            Log.ListeningOn(Logger, listener.Name);
            _acceptLoops.Add(AcceptStreamsAsync(listener));
        }
        return Task.FromResult(Endpoints);
    }

    /// <summary>
    /// Stops accepting and closes idle connections at once; requests in progress get <paramref name="grace"/> to finish
    /// (their connections close after them), then whatever still runs is aborted. Safe to call more than once.
    /// </summary>
    public Task StopAsync(TimeSpan grace) => _stopTask ??= StopCoreAsync(grace);

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.Zero);
        _stopping.Dispose();
        _abort.Dispose();
    }

    private async Task StopCoreAsync(TimeSpan grace)
    {
        Log.Stopping(Logger, _connections.Count, grace);
        await _stopping.CancelAsync();
        foreach (var (socket, _) in _listeners)
        {
            socket.Dispose();
        }
        await Task.WhenAll(_acceptLoops);
        var running = Task.WhenAll(_connections.Values);
        if (grace > TimeSpan.Zero)
        {
            try
            {
                await running.WaitAsync(grace, Options.TimeProvider);
            }
            catch (TimeoutException)
            {
            }
        }
        if (!running.IsCompleted)
        {
            Log.Aborting(Logger, _connections.Count);
            await _abort.CancelAsync();
            await running;
        }
        await Origins.DisposeAsync();
        Log.Stopped(Logger);
    }

    private async Task AcceptLoopAsync(Socket listener, InjectorEndpoint endpoint)
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
                // Out of file descriptors and the like: say so, and do not spin.
                Log.AcceptFailed(Logger, endpoint.EndPoint, e.Message);
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), Options.TimeProvider, _stopping.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                continue;
            }
            var connection = new InjectorConnection(this, socket, endpoint.Kind);
            var run = new TaskCompletionSource();
            _connections[connection] = run.Task;
            _ = RunConnectionAsync(connection, run);
        }
    }

    private async Task AcceptStreamsAsync(IInjectorStreamListener listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            IInjectorStream stream;
            try
            {
                stream = await listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or System.Threading.Channels.ChannelClosedException || _stopping.IsCancellationRequested)
            {
                break;
            }
            var connection = new InjectorConnection(this, stream, listener.Tls);
            var run = new TaskCompletionSource();
            _connections[connection] = run.Task;
            _ = RunConnectionAsync(connection, run);
        }
    }

    private async Task RunConnectionAsync(InjectorConnection connection, TaskCompletionSource done)
    {
        try
        {
            await Task.Yield();
            await connection.RunAsync();
        }
        finally
        {
            _connections.TryRemove(connection, out _);
            done.SetResult();
        }
    }
}
