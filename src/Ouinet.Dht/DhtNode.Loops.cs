using System.Net;
using System.Net.Sockets;
using Ouinet.Dht.Engine;

namespace Ouinet.Dht;

/// <summary>The node's loops (receive, send, save), its timer, and bootstrap name resolution.</summary>
public sealed partial class DhtNode
{
    private void OnDatagram(ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        // On the multiplexer's thread: copy and queue, never process here (uTP shares this thread).
        if (datagram.Length > Bencoding.BencodeLimits.Krpc.MaxInputLength || !_inbound.Writer.TryWrite((datagram.ToArray(), from)))
        {
            Interlocked.Increment(ref _inboundDropped);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            await foreach (var (datagram, from) in _inbound.Reader.ReadAllAsync(_stop.Token))
            {
                lock (_gate)
                {
                    _engine!.OnDatagram(datagram, from);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
#pragma warning disable CA1031 // The loop's owner logs what killed it; the node keeps answering nothing rather than crashing the host.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.BackgroundFailed(_logger, e);
        }
    }

    private async Task SendLoopAsync()
    {
        try
        {
            await foreach (var (datagram, to) in _outbound.Reader.ReadAllAsync(_stop.Token))
            {
                try
                {
                    await _multiplexer.SendAsync(datagram, to, _stop.Token);
                }
                catch (ObjectDisposedException)
                {
                    return; // the shared socket closed under us
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
#pragma warning disable CA1031
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.BackgroundFailed(_logger, e);
        }
    }

    private async Task SaveLoopAsync()
    {
        try
        {
            while (true)
            {
                // Every SaveInterval (Ouinet saves contacts every 6 minutes), or at once after an ID change.
                await Task.WhenAny(Task.Delay(_options.SaveInterval, _time, _stop.Token), _saveRequests.Reader.WaitToReadAsync(_stop.Token).AsTask());
                _stop.Token.ThrowIfCancellationRequested();
                _saveRequests.Reader.TryRead(out _);
                await SaveStateAsync(_stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void RequestSave() => _saveRequests.Writer.TryWrite(true);

    private void OnTimer()
    {
        lock (_gate)
        {
            if (_disposed == 0)
            {
                _engine?.OnTimer();
            }
        }
    }

    private async Task<List<IPEndPoint>> ResolveAsync(IEnumerable<EndPoint> endPoints, CancellationToken cancellationToken)
    {
        var result = new List<IPEndPoint>();
        foreach (var endPoint in endPoints)
        {
            switch (endPoint)
            {
                case IPEndPoint ip:
                    if (IsLoopbackOnly && !IPAddress.IsLoopback(ip.Address))
                    {
                        Log.BootstrapSkipped(_logger, ip.ToString(), "this node only talks to 127.0.0.0/8");
                        break;
                    }
                    result.Add(ip);
                    break;
                case DnsEndPoint dns when IsLoopbackOnly:
                    if (string.Equals(dns.Host, "localhost", StringComparison.OrdinalIgnoreCase))
                    {
                        result.Add(new IPEndPoint(IPAddress.Loopback, dns.Port));
                    }
                    else
                    {
                        // No name lookups at all from a loopback-only node: a DNS query already leaves the machine.
                        Log.BootstrapSkipped(_logger, dns.Host, "this node only talks to 127.0.0.0/8 and resolves no names");
                    }
                    break;
                case DnsEndPoint dns:
                    try
                    {
                        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                        timeout.CancelAfter(ResolveTimeout);
                        var addresses = await Dns.GetHostAddressesAsync(dns.Host, AddressFamily.InterNetwork, timeout.Token);
                        result.AddRange(addresses.Select(a => new IPEndPoint(a, dns.Port)));
                    }
                    catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
                    {
                        Log.ResolveFailed(_logger, dns.Host, e.Message);
                    }
                    break;
            }
        }
        return result;
    }

    /// <summary>The engine's window on the world: the outbound queue and the timer.</summary>
    private sealed class Host(DhtNode node) : IDhtHost
    {
        public void Send(byte[] datagram, IPEndPoint to) => node._outbound.Writer.TryWrite((datagram, to));

        public void RequestWake(long dueMs)
        {
            var delay = Math.Max(0, dueMs - node._engine!.NowMs);
            node._timer?.Change(TimeSpan.FromMilliseconds(delay), Timeout.InfiniteTimeSpan);
        }
    }
}
