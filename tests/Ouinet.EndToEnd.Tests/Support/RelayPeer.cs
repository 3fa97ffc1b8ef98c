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
}

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

    private RelayPeer(UdpMultiplexer mux, DhtNode dht, UtpSocket utp, IPEndPoint upstream, RelayMode mode, long at, TimeSpan delay)
    {
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

    /// <summary>Connections relayed so far.</summary>
    public int Connections => _connections;

    private int _connections;

    public static async Task<RelayPeer> StartAsync(DhtBootstrapNode dht, IPEndPoint upstream, string injectorKey, IEnumerable<string> groups, RelayMode mode, long at, TimeSpan delay, CancellationToken cancellationToken)
    {
        var mux = UdpMultiplexer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var node = new DhtNode(new DhtOptions { BootstrapNodes = [dht.EndPoint], UseDefaultBootstrapRouters = false }, mux);
        var utp = new UtpSocket(mux, new UtpSocketOptions { AcceptBacklog = 16 });
        mux.Start();
        await node.StartAsync(cancellationToken);
        var relay = new RelayPeer(mux, node, utp, upstream, mode, at, delay);
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
            Interlocked.Increment(ref _connections);
            _tasks.Add(Task.Run(() => RelayAsync(downstream)));
        }
    }

    private async Task RelayAsync(UtpStream downstream)
    {
        UtpStream? upstream = null;
        try
        {
            upstream = await _utp.ConnectAsync(_upstream, _stop.Token);
            var up = CopyAsync(downstream, upstream);
            var buffer = new byte[16 * 1024];
            long total = 0;
            var first = true;
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
