using System.Net;
using System.Net.Sockets;

namespace Ouinet.Utp.Tests.Support;

/// <summary>How the relay mistreats datagrams, each direction independently.</summary>
public sealed record RelayImpairments
{
    /// <summary>Fraction of datagrams dropped (0.01 = 1 %).</summary>
    public double Loss { get; init; }

    /// <summary>Fraction of datagrams delivered twice.</summary>
    public double Duplication { get; init; }

    /// <summary>Fraction of datagrams held back and delivered after the next one.</summary>
    public double Reordering { get; init; }

    /// <summary>Fixed one-way delay.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>Extra random delay up to this much (which also reorders).</summary>
    public TimeSpan Jitter { get; init; }

    public static RelayImpairments None { get; } = new();
}

/// <summary>
/// A UDP relay on loopback between one client and one server that drops, duplicates, reorders and delays datagrams
/// (seeded, so a run can be repeated). The client sends to <see cref="EndPoint"/>; the relay forwards from its own
/// upstream socket to the server, and the server's answers back to the client. Used by the loss tests and the benchmark.
/// </summary>
public sealed class LossyUdpRelay : IAsyncDisposable
{
    private readonly Socket _front;
    private readonly Socket _back;
    private readonly IPEndPoint _server;
    private readonly RelayImpairments _impairments;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _forward;
    private readonly Task _backward;
    private readonly Random _random;
    private readonly Lock _randomLock = new();
    private volatile IPEndPoint? _client;
    private long _dropped;
    private long _forwarded;

    public LossyUdpRelay(IPEndPoint server, RelayImpairments impairments, int seed = 1)
    {
        _server = server;
        _impairments = impairments;
        _random = new Random(seed);
        _front = Bind();
        _back = Bind();
        _forward = Task.Run(() => PumpAsync(_front, toServer: true));
        _backward = Task.Run(() => PumpAsync(_back, toServer: false));
    }

    /// <summary>Where the client sends.</summary>
    public IPEndPoint EndPoint => (IPEndPoint)_front.LocalEndPoint!;

    public long Dropped => Interlocked.Read(ref _dropped);

    public long Forwarded => Interlocked.Read(ref _forwarded);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _front.Dispose();
        _back.Dispose();
        await Task.WhenAll(_forward, _backward).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private static Socket Bind()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)
        {
            ReceiveBufferSize = 4 << 20,
            SendBufferSize = 4 << 20,
        };
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private async Task PumpAsync(Socket from, bool toServer)
    {
        var buffer = new byte[65536];
        var address = new SocketAddress(AddressFamily.InterNetwork);
        var to = toServer ? _back : _front;
        byte[]? held = null;
        while (!_stop.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await from.ReceiveFromAsync(buffer, SocketFlags.None, address, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // ICMP errors from earlier sends
            }
            if (toServer && _client is null)
            {
                _client = FromAddress(address);
            }
            var target = toServer ? _server : _client;
            if (target is null)
            {
                continue;
            }
            double drop, duplicate, reorder, jitter;
            lock (_randomLock)
            {
                (drop, duplicate, reorder, jitter) = (_random.NextDouble(), _random.NextDouble(), _random.NextDouble(), _random.NextDouble());
            }
            if (drop < _impairments.Loss)
            {
                Interlocked.Increment(ref _dropped);
                continue;
            }
            var datagram = buffer.AsMemory(0, length);
            var copies = duplicate < _impairments.Duplication ? 2 : 1;
            var delay = _impairments.Delay + (_impairments.Jitter * jitter);
            if (delay > TimeSpan.Zero)
            {
                var copy = datagram.ToArray();
                _ = DelayedSendAsync(to, copy, target, delay, copies);
                continue;
            }
            if (reorder < _impairments.Reordering && held is null)
            {
                held = datagram.ToArray();
                continue;
            }
            for (var i = 0; i < copies; i++)
            {
                await SendAsync(to, datagram, target);
            }
            if (held is not null)
            {
                await SendAsync(to, held, target);
                held = null;
            }
        }
    }

    private async Task DelayedSendAsync(Socket to, byte[] datagram, IPEndPoint target, TimeSpan delay, int copies)
    {
        try
        {
            await Task.Delay(delay, _stop.Token);
            for (var i = 0; i < copies; i++)
            {
                await SendAsync(to, datagram, target);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async ValueTask SendAsync(Socket to, ReadOnlyMemory<byte> datagram, IPEndPoint target)
    {
        try
        {
            await to.SendToAsync(datagram, SocketFlags.None, target, _stop.Token);
            Interlocked.Increment(ref _forwarded);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    private static IPEndPoint FromAddress(SocketAddress address)
    {
        var span = address.Buffer.Span;
        return new IPEndPoint(new IPAddress(span.Slice(4, 4)), (span[2] << 8) | span[3]);
    }
}
