using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Ouinet.Client.Upstream;
using Ouinet.Http;
using Ouinet.Injector;
using Ouinet.Utp;

namespace Ouinet.Client.DistributedCache;

/// <summary>
/// The bridge's side of a tunnel (a peer's <c>CONNECT</c> on the uTP peer server; any target means the injector, as in
/// Ouinet C++): a direct raw connection to the injector (never through another bridge, no TLS here: the peer runs TLS
/// to the injector end to end, the bridge sees ciphertext), <c>200</c>, then bytes both ways through bounded buffers, each
/// end's close passed on, <see cref="DistributedCacheTimings.PeerKeepAlive"/> of silence ending both. When the injector
/// cannot be reached directly: <c>502</c> with <c>X-Ouinet-Error</c> and the reason. Tunnels have limits of their own
/// (<see cref="DistributedCacheTimings.MaxTunnelsPerPeer"/>, <see cref="DistributedCacheTimings.MaxTunnels"/>; over them:
/// <c>503</c>), not the peer server's serving ones.
/// </summary>
internal sealed class BridgeRelay(DistributedCacheService owner)
{
    private const int BufferSize = 64 * 1024;
    private readonly ConcurrentDictionary<IPAddress, int> _perPeer = new();
    private int _open;
    private long _bytes;

    /// <summary>Bytes relayed both ways, in total.</summary>
    public long BytesRelayed => Interlocked.Read(ref _bytes);

    /// <summary>Runs one tunnel; the caller closes <paramref name="peer"/> afterwards (its FIN after what was written).</summary>
    public async Task RunAsync(UtpStream peer, HttpMessageReader reader, PipeWriter output, CancellationToken cancellationToken)
    {
        var remote = peer.RemoteEndPoint;
        var timings = owner.Options.DistributedCacheTimings;
        var perPeer = _perPeer.AddOrUpdate(remote.Address, 1, (_, n) => n + 1);
        var open = Interlocked.Increment(ref _open);
        try
        {
            if (perPeer > timings.MaxTunnelsPerPeer || open > timings.MaxTunnels)
            {
                Log.BridgeRefused(owner.Logger, remote, "too many tunnels");
                PeerServer.Refuse(output, 503, null, "Too many tunnels through this bridge; try another.");
                return;
            }
            await TunnelAsync(peer, reader, output, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _open);
            while (_perPeer.TryGetValue(remote.Address, out var n)
                && !(n <= 1 ? _perPeer.TryRemove(new KeyValuePair<IPAddress, int>(remote.Address, n)) : _perPeer.TryUpdate(remote.Address, n - 1, n)))
            {
            }
        }
    }

    private async Task TunnelAsync(UtpStream peer, HttpMessageReader reader, PipeWriter output, CancellationToken cancellationToken)
    {
        var remote = peer.RemoteEndPoint;
        var injector = owner.Injector;
        Stream? upstream = null;
        string? refusal = injector is null ? "this client has no injector"
            : !injector.CanBridge ? "this client reaches the injector without TLS"
            : null;
        if (injector is not null && refusal is null)
        {
            try
            {
                upstream = await injector.OpenDirectAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (InjectorUnreachableException e)
            {
                refusal = "no direct connection to the injector (bridges are never chained): " + e.Message;
            }
        }
        if (upstream is null)
        {
            Log.BridgeRefused(owner.Logger, remote, refusal!);
            PeerServer.Refuse(output, 502, "3 Resource retrieval failed", refusal);
            return;
        }
        await using (upstream.ConfigureAwait(false))
        {
            Log.Bridging(owner.Logger, remote);
            output.Write("HTTP/1.1 200 Connection established\r\n\r\n"u8);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            using var idle = new IdleTimeout(owner.Options.DistributedCacheTimings.PeerKeepAlive, owner.Options.TimeProvider, cancellationToken);
            using var both = CancellationTokenSource.CreateLinkedTokenSource(idle.Token);
            long up = 0, down = 0;
            var toInjector = UpAsync(reader.DetachInput(), upstream, n => Count(ref up, n, idle), both);
            var toPeer = DownAsync(upstream, peer, n => Count(ref down, n, idle), both);
            var reason = "";
            try
            {
                await Task.WhenAll(toInjector, toPeer).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                reason = idle.HasTimedOut ? ": idle" : ": " + e.Message;
                peer.Abort();
            }
            Log.BridgeEnded(owner.Logger, remote, up, down, reason);
        }
    }

    private void Count(ref long total, int n, IdleTimeout idle)
    {
        total += n;
        Interlocked.Add(ref _bytes, n);
        idle.Reset();
    }

    private delegate void Progress(int n);

    private static async Task UpAsync(PipeReader peer, Stream injector, Progress progress, CancellationTokenSource both)
    {
        try
        {
            while (true)
            {
                var result = await peer.ReadAsync(both.Token).ConfigureAwait(false);
                foreach (var segment in result.Buffer)
                {
                    await injector.WriteAsync(segment, both.Token).ConfigureAwait(false);
                    progress(segment.Length);
                }
                peer.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
            // The peer is done sending: pass its close on where the transport can half-close.
            switch (injector)
            {
                case NetworkStream network:
                    network.Socket.Shutdown(SocketShutdown.Send);
                    break;
                case UtpStream utp:
                    utp.CompleteWrites();
                    break;
            }
        }
        catch
        {
            await both.CancelAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            await peer.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static async Task DownAsync(Stream injector, UtpStream peer, Progress progress, CancellationTokenSource both)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int n;
            while ((n = await injector.ReadAsync(buffer.AsMemory(0, BufferSize), both.Token).ConfigureAwait(false)) > 0)
            {
                await peer.WriteAsync(buffer.AsMemory(0, n), both.Token).ConfigureAwait(false);
                progress(n);
            }
            peer.CompleteWrites();
        }
        catch
        {
            await both.CancelAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
