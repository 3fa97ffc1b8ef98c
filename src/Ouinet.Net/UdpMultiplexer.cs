using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ouinet.Net;

/// <summary>
/// Handles a datagram while the multiplexer's receive loop waits: the span is valid only during the call, so a
/// consumer that keeps it must copy it. <paramref name="from"/> may be the same instance for every datagram of a peer:
/// never change it. Must not block.
/// </summary>
public delegate void DatagramHandler(ReadOnlySpan<byte> datagram, IPEndPoint from);

/// <summary>
/// One UDP socket shared by the DHT and uTP, as Ouinet does (<c>udp-mux-port</c>): a single receive loop hands each
/// datagram to the first registered consumer whose classifier accepts it (bencoded KRPC to the DHT, the rest to uTP).
/// Sends go straight to the socket. A consumer's failure is logged and never stops the loop.
/// On a real UDP socket on Linux the loop is a thread of its own, blocked in the kernel until datagrams arrive and
/// taking a burst per system call (see <see cref="UdpDatagramSocket"/>); consumers run on it. With any other
/// <see cref="IDatagramSocket"/> (a test network, or another system) it is an asynchronous loop on the thread pool.
/// </summary>
public sealed partial class UdpMultiplexer : IAsyncDisposable, IDatagramSink
{
    /// <summary>Largest datagram accepted; anything longer is truncated and then refused by its consumer's parser.</summary>
    public const int MaxDatagramSize = 64 * 1024;

    private readonly IDatagramSocket _socket;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(Func<ReadOnlySpan<byte>, bool> Accepts, DatagramHandler Handler)> _consumers = [];
    private readonly List<Action> _drained = [];
    private Task? _loop;
    private Thread? _thread;
    private int _disposed;
    private long _unclaimed;

    public UdpMultiplexer(IDatagramSocket socket, ILogger<UdpMultiplexer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(socket);
        _socket = socket;
        _logger = logger ?? NullLogger<UdpMultiplexer>.Instance;
    }

    /// <summary>Binds a real UDP socket and multiplexes it.</summary>
    public static UdpMultiplexer Bind(IPEndPoint endpoint, ILogger<UdpMultiplexer>? logger = null) =>
        new(UdpDatagramSocket.Bind(endpoint), logger);

    public IPEndPoint LocalEndPoint => _socket.LocalEndPoint;

    /// <summary>Datagrams no consumer accepted (dropped).</summary>
    public long UnclaimedDatagrams => Interlocked.Read(ref _unclaimed);

    /// <summary>Adds a consumer; consumers are asked in the order they were added. Register before <see cref="Start"/>.</summary>
    public void Register(Func<ReadOnlySpan<byte>, bool> accepts, DatagramHandler handler)
    {
        ArgumentNullException.ThrowIfNull(accepts);
        ArgumentNullException.ThrowIfNull(handler);
        if (_loop is not null)
        {
            throw new InvalidOperationException("Register consumers before Start.");
        }
        _consumers.Add((accepts, handler));
    }

    /// <summary>
    /// Adds a consumer that also wants to know when the loop has handled every datagram that was waiting (the next
    /// receive would wait): uTP batches its ACKs until then, as libtorrent does on "socket drained".
    /// <paramref name="drained"/> runs on the receive loop and must not block.
    /// </summary>
    public void Register(Func<ReadOnlySpan<byte>, bool> accepts, DatagramHandler handler, Action drained)
    {
        ArgumentNullException.ThrowIfNull(drained);
        Register(accepts, handler);
        _drained.Add(drained);
    }

    /// <summary>The dedicated receive thread, once <see cref="Start"/> has started one (rather than the asynchronous loop).</summary>
    internal Thread? ReceiveThread => _thread;

    /// <summary>Starts the receive loop.</summary>
    public void Start()
    {
        if (_loop is not null)
        {
            return;
        }
        if (_socket is UdpDatagramSocket { IsNative: true } udp)
        {
            udp.TryEnableCoalescing();
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            // A background thread so that a process that forgets to dispose can still exit; DisposeAsync ends it.
            _thread = new Thread(() => RunReceiveThread(udp, done))
            {
                IsBackground = true,
                Name = $"UDP receive :{udp.LocalEndPoint.Port}",
            };
            _loop = done.Task;
            _thread.Start();
            return;
        }
        _loop = Task.Run(ReceiveLoopAsync);
    }

    public ValueTask SendAsync(ReadOnlyMemory<byte> datagram, IPEndPoint remote, CancellationToken cancellationToken = default) =>
        _socket.SendAsync(datagram, remote, cancellationToken);

    /// <summary>
    /// Sends several datagrams to one peer, in order: on a real UDP socket on Linux in as few system calls as the
    /// kernel allows (<see cref="UdpDatagramSocket.SendBatchAsync"/>), otherwise one by one. The buffers must stay
    /// untouched until the returned task completes (at once, unless the socket's send buffer was full).
    /// </summary>
    public ValueTask SendBatchAsync(ReadOnlySpan<ReadOnlyMemory<byte>> datagrams, IPEndPoint remote, CancellationToken cancellationToken = default) =>
        _socket.SendBatchAsync(datagrams, remote, cancellationToken);

    /// <summary>KRPC messages are bencoded dictionaries: <c>d…e</c>. A uTP header never starts with <c>d</c> (type 6, version 4).</summary>
    public static bool IsBencodedDictionary(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= 2 && datagram[0] == (byte)'d' && datagram[^1] == (byte)'e';

    /// <summary>Stops the receive loop (the receive thread has ended when this completes) and closes the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stop.CancelAsync();
        if (_thread is not null)
        {
            // Wake the thread out of the kernel and let it finish with the socket before the socket goes. (Called
            // from a consumer on the thread itself, this awaits the loop's end asynchronously: the handler returns
            // first, then the loop sees the stop.)
            ((UdpDatagramSocket)_socket).StopReceiving();
            await _loop!;
            await _socket.DisposeAsync();
        }
        else
        {
            await _socket.DisposeAsync();
            if (_loop is not null)
            {
                await _loop;
            }
        }
        _stop.Dispose();
    }

    private void RunReceiveThread(UdpDatagramSocket socket, TaskCompletionSource done)
    {
        try
        {
            socket.RunReceiveLoop(this);
        }
#pragma warning disable CA1031 // The loop handles its own failures; anything else is a bug to log, not to crash the process on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogReceiveLoopFailed(e);
        }
        finally
        {
            done.TrySetResult();
        }
    }

    void IDatagramSink.OnDatagram(ReadOnlySpan<byte> datagram, IPEndPoint from) => Dispatch(datagram, from);

    void IDatagramSink.OnDrained() => NotifyDrained();

    void IDatagramSink.OnReceiveFailed(Exception exception) => LogReceiveFailed(exception);

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[MaxDatagramSize];
        while (!_stop.IsCancellationRequested)
        {
            DatagramReceiveResult received;
            try
            {
                var pending = _socket.ReceiveAsync(buffer, _stop.Token);
                if (!pending.IsCompleted)
                {
                    NotifyDrained();
                }
                received = await pending;
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException)
            {
                LogReceiveFailed(e);
                continue;
            }
            Dispatch(buffer.AsSpan(0, received.Length), received.RemoteEndPoint);
        }
    }

    private void NotifyDrained()
    {
        foreach (var drained in _drained)
        {
            try
            {
                drained();
            }
#pragma warning disable CA1031 // As for handlers: one consumer's bug must not stop the loop.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogConsumerFailed(e);
            }
        }
    }

    private void Dispatch(ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        foreach (var (accepts, handler) in _consumers)
        {
            if (!accepts(datagram))
            {
                continue;
            }
            try
            {
                handler(datagram, from);
            }
#pragma warning disable CA1031 // A consumer's bug must not take the shared socket down for the other.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogConsumerFailed(e);
            }
            return;
        }
        Interlocked.Increment(ref _unclaimed);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "UDP receive failed; continuing")]
    private partial void LogReceiveFailed(Exception exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "A datagram consumer failed; continuing")]
    private partial void LogConsumerFailed(Exception exception);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "The UDP receive thread stopped on an unexpected error")]
    private partial void LogReceiveLoopFailed(Exception exception);
}
