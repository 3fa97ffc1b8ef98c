using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ouinet.Net;

/// <summary>
/// Handles a datagram while the multiplexer's receive loop waits: the span is valid only during the call, so a
/// consumer that keeps it must copy it. Must not block.
/// </summary>
public delegate void DatagramHandler(ReadOnlySpan<byte> datagram, IPEndPoint from);

/// <summary>
/// One UDP socket shared by the DHT and uTP, as Ouinet does (<c>udp-mux-port</c>): a single receive loop hands each
/// datagram to the first registered consumer whose classifier accepts it (bencoded KRPC to the DHT, the rest to uTP).
/// Sends go straight to the socket. A consumer's failure is logged and never stops the loop.
/// </summary>
public sealed partial class UdpMultiplexer : IAsyncDisposable
{
    /// <summary>Largest datagram accepted; anything longer is truncated and then refused by its consumer's parser.</summary>
    public const int MaxDatagramSize = 64 * 1024;

    private readonly IDatagramSocket _socket;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(Func<ReadOnlySpan<byte>, bool> Accepts, DatagramHandler Handler)> _consumers = [];
    private readonly List<Action> _drained = [];
    private Task? _loop;
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

    /// <summary>Starts the receive loop.</summary>
    public void Start() => _loop ??= Task.Run(ReceiveLoopAsync);

    public ValueTask SendAsync(ReadOnlyMemory<byte> datagram, IPEndPoint remote, CancellationToken cancellationToken = default) =>
        _socket.SendAsync(datagram, remote, cancellationToken);

    /// <summary>KRPC messages are bencoded dictionaries: <c>d…e</c>. A uTP header never starts with <c>d</c> (type 6, version 4).</summary>
    public static bool IsBencodedDictionary(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= 2 && datagram[0] == (byte)'d' && datagram[^1] == (byte)'e';

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _socket.DisposeAsync();
        if (_loop is not null)
        {
            await _loop;
        }
        _stop.Dispose();
    }

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
}
