using System.Collections.Concurrent;
using System.Net;
using Ouinet.Dht;
using Ouinet.Net;
using Ouinet.Protocol;
using Ouinet.Protocol.Dht;
using Ouinet.Protocol.Keys;
using Ouinet.Utp;

namespace Ouinet.EndToEnd.Tests.Support;

/// <summary>What a <see cref="RelayPeer"/> does to the responses it relays.</summary>
internal enum RelayMode
{
    /// <summary>Passes everything on (a peer serving what its upstream has, e.g. an entry signed by another key).</summary>
    Honest,
    /// <summary>Flips one bit at <see cref="RelayPeer.At"/> bytes into each response: a forged entry.</summary>
    Flip,
    /// <summary>Stops at <see cref="RelayPeer.At"/> bytes into each response and resets: a truncated entry.</summary>
    Truncate,
    /// <summary>Stops sending at <see cref="RelayPeer.At"/> bytes into each connection but keeps it open: a stalled peer.</summary>
    Stall,
}

/// <summary>
/// How a <see cref="RelayPeer"/> paces what it relays, to make a slow, hiccuping or flaky but honest peer: at most
/// <paramref name="BytesPerSecond"/> per connection (0: no limit); one pause of <paramref name="PauseFor"/> once the relay
/// as a whole has sent <paramref name="PauseAt"/> bytes; and the first <paramref name="Breaks"/> connections that reach
/// <paramref name="BreakAt"/> bytes reset (a network failure, not a lie), not counting the relay's first connection
/// (a client's whole-entry request, which it leaves after the head: the relay may still be pumping when it notices).
/// </summary>
internal sealed record RelayShaping(long BytesPerSecond = 0, long PauseAt = 0, TimeSpan PauseFor = default, long BreakAt = 0, int Breaks = 0);

/// <summary>
/// A peer of our own making in the test process: a DHT node in a given private DHT that announces the swarms it is told
/// to, and a uTP server that relays each connection to an upstream client's peer server, doing <see cref="Mode"/> to
/// what comes back, after an optional delay. It lets a test put a lying peer (or a slow honest one) in a swarm.
/// </summary>
internal sealed class RelayPeer : IAsyncDisposable
{
    private readonly UdpMultiplexer _mux;
    private readonly DhtNode _dht;
    private readonly UtpSocket _utp;
    private readonly IPEndPoint _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _tasks = [];
    private Task? _accept;

    private RelayPeer(UdpMultiplexer mux, DhtNode dht, UtpSocket utp, IPEndPoint upstream, RelayMode mode, long at, TimeSpan delay, RelayShaping shaping)
    {
        Shaping = shaping;
        _breaksLeft = shaping.Breaks;
        _mux = mux;
        _dht = dht;
        _utp = utp;
        _upstream = upstream;
        Mode = mode;
        At = at;
        Delay = delay;
    }

    public RelayMode Mode { get; }

    public long At { get; }

    public TimeSpan Delay { get; }

    public IPEndPoint EndPoint => _mux.LocalEndPoint;

    public RelayShaping Shaping { get; }

    /// <summary>Connections relayed so far.</summary>
    public int Connections => _connections;

    /// <summary>Bytes sent to the downstream peer so far, all connections together.</summary>
    public long BytesRelayed => Interlocked.Read(ref _bytesRelayed);

    private int _connections;
    private long _bytesRelayed;
    private int _breaksLeft;
    private int _paused;

    /// <param name="address">The loopback address to bind (another 127.x than the upstream's keeps the relay's connections
    /// out of the upstream's per-peer-address limit).</param>
    public static async Task<RelayPeer> StartAsync(DhtBootstrapNode dht, IPEndPoint upstream, string injectorKey, IEnumerable<string> groups, RelayMode mode, long at, TimeSpan delay, CancellationToken cancellationToken,
        IPAddress? address = null, RelayShaping? shaping = null)
    {
        var mux = UdpMultiplexer.Bind(new IPEndPoint(address ?? IPAddress.Loopback, 0));
        var node = new DhtNode(new DhtOptions { BootstrapNodes = [dht.EndPoint], UseDefaultBootstrapRouters = false }, mux);
        var utp = new UtpSocket(mux, new UtpSocketOptions { AcceptBacklog = 16 });
        mux.Start();
        await node.StartAsync(cancellationToken);
        var relay = new RelayPeer(mux, node, utp, upstream, mode, at, delay, shaping ?? new RelayShaping());
        relay._accept = relay.AcceptLoopAsync();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await node.WaitForBootstrapAsync(timeout.Token);
        var key = InjectorPublicKey.TryParse(injectorKey, out var k, out _) ? k : throw new ArgumentException("bad key", nameof(injectorKey));
        foreach (var group in groups)
        {
            var swarm = SwarmName.ForGroup(key, ProtocolVersion.Current, group);
            while (!(await node.AnnounceAsync(new InfoHash(swarm.InfoHash), null, timeout.Token)).Succeeded)
            {
                await Task.Delay(500, timeout.Token);
            }
        }
        return relay;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UtpStream downstream;
            try
            {
                downstream = await _utp.AcceptAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (IOException)
            {
                continue;
            }
            var number = Interlocked.Increment(ref _connections);
            _tasks.Add(Task.Run(() => RelayAsync(downstream, number)));
        }
    }

    private async Task RelayAsync(UtpStream downstream, int number)
    {
        UtpStream? upstream = null;
        try
        {
            upstream = await _utp.ConnectAsync(_upstream, _stop.Token);
            var up = CopyAsync(downstream, upstream);
            var buffer = new byte[16 * 1024];
            long total = 0;
            var first = true;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            long paced = 0;
            while (true)
            {
                var n = await upstream.ReadAsync(buffer, _stop.Token);
                if (n == 0)
                {
                    break;
                }
                if (first && Delay > TimeSpan.Zero)
                {
                    await Task.Delay(Delay, _stop.Token);
                }
                first = false;
                if (Mode == RelayMode.Stall && total + n > At)
                {
                    await downstream.WriteAsync(buffer.AsMemory(0, (int)Math.Max(0, At - total)), _stop.Token);
                    await up;   // silent until the downstream peer gives up
                    return;
                }
                if (number > 1 && total + n > Shaping.BreakAt && Volatile.Read(ref _breaksLeft) > 0 && Interlocked.Decrement(ref _breaksLeft) >= 0)
                {
                    downstream.Abort();
                    upstream.Abort();
                    return;
                }
                if (Shaping.PauseFor > TimeSpan.Zero && BytesRelayed + n > Shaping.PauseAt && Interlocked.Exchange(ref _paused, 1) == 0)
                {
                    await Task.Delay(Shaping.PauseFor, _stop.Token);
                    (paced, clock) = (0, System.Diagnostics.Stopwatch.StartNew());   // no catching up after the pause
                }
                if (Shaping.BytesPerSecond > 0 && TimeSpan.FromSeconds((double)paced / Shaping.BytesPerSecond) - clock.Elapsed is { Ticks: > 0 } ahead)
                {
                    await Task.Delay(ahead, _stop.Token);
                }
                paced += n;
                var count = n;
                if (Mode == RelayMode.Flip && total <= At && At < total + n)
                {
                    buffer[At - total] ^= 0x01;
                }
                if (Mode == RelayMode.Truncate && total + n > At)
                {
                    count = (int)Math.Max(0, At - total);
                }
                await downstream.WriteAsync(buffer.AsMemory(0, count), _stop.Token);
                total += count;
                Interlocked.Add(ref _bytesRelayed, count);
                if (count < n)
                {
                    await downstream.FlushAsync(_stop.Token);
                    await Task.Delay(200, _stop.Token);
                    downstream.Abort();
                    upstream.Abort();
                    return;
                }
            }
            downstream.CompleteWrites();
            await up;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            downstream.Abort();
            upstream?.Abort();
        }
        finally
        {
            await downstream.DisposeAsync();
            if (upstream is not null)
            {
                await upstream.DisposeAsync();
            }
        }
    }

    private async Task CopyAsync(UtpStream from, UtpStream to)
    {
        try
        {
            var buffer = new byte[16 * 1024];
            int n;
            while ((n = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
            }
            to.CompleteWrites();
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The downstream peer went away: so does our connection upstream (it would linger in the upstream's limits).
            to.Abort();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _utp.DisposeAsync();
        if (_accept is not null)
        {
            await _accept;
        }
        try
        {
            await Task.WhenAll(_tasks);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
        await _dht.DisposeAsync();
        await _mux.DisposeAsync();
        _stop.Dispose();
    }
}
