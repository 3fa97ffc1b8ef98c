using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using Microsoft.Extensions.Logging;
using Ouinet.Cache.Store;
using Ouinet.Client.Caching;
using Ouinet.Http;
using Ouinet.Injector;
using Ouinet.Protocol;
using Ouinet.Utp;

namespace Ouinet.Client.DistributedCache;

/// <summary>
/// Serves stored entries to other clients over uTP (the spec's "Peer-to-peer cache entry exchange", protocol 6): each
/// connection carries HTTP/1.1 requests, <c>GET</c> or <c>HEAD</c> with an absolute URI and <c>X-Ouinet-Version</c>;
/// the answer is the signed entry streamed from the store (<see cref="StoredEntryResponder"/>: block signatures on the
/// chunk lines, a 206 with <c>ouipsig</c>/<c>ouihash</c> for a <c>Range</c>), or a 404; a <c>CONNECT</c> makes the
/// connection a tunnel to the injector (<see cref="BridgeRelay"/>). Connections are bounded per peer IP and in total; an
/// excess connection is reset at once.
/// </summary>
internal sealed class PeerServer
{
    private readonly UtpSocket _utp;
    private readonly LocalCache _cache;
    private readonly DistributedCacheService _owner;
    private readonly DistributedCacheTimings _timings;
    private readonly HttpLimits _limits;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<IPAddress, int> _perPeer = new();
    private readonly ConcurrentDictionary<Task, bool> _connections = new();
    private int _open;

    public PeerServer(UtpSocket utp, LocalCache cache, DistributedCacheService owner, DistributedCacheTimings timings, HttpLimits limits, TimeProvider time, ILogger logger)
    {
        _utp = utp;
        _cache = cache;
        _owner = owner;
        _timings = timings;
        _limits = limits;
        _time = time;
        _logger = logger;
    }

    public int OpenConnections => Volatile.Read(ref _open);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            UtpStream stream;
            try
            {
                stream = await _utp.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is IOException or UtpException or InvalidOperationException)
            {
                Log.PeerAcceptFailed(_logger, e.Message);
                continue;
            }
            var address = stream.RemoteEndPoint.Address;
            var perPeer = _perPeer.AddOrUpdate(address, 1, (_, n) => n + 1);
            if (perPeer > _timings.MaxConnectionsPerPeer || Interlocked.Increment(ref _open) > _timings.MaxPeerConnections)
            {
                if (perPeer <= _timings.MaxConnectionsPerPeer)
                {
                    Interlocked.Decrement(ref _open);
                }
                Release(address);
                Log.PeerRefused(_logger, stream.RemoteEndPoint);
                stream.Abort();
                await stream.DisposeAsync().ConfigureAwait(false);
                continue;
            }
            var slot = new ServingSlot(this, address);
            var task = Task.Run(() => ServeAsync(stream, slot, cancellationToken), CancellationToken.None);
            _connections[task] = true;
            _ = task.ContinueWith(
                t =>
                {
                    _connections.TryRemove(t, out _);
                    slot.Dispose();
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
        await Task.WhenAll(_connections.Keys).ConfigureAwait(false);
    }

    private void Release(IPAddress address)
    {
        while (_perPeer.TryGetValue(address, out var n))
        {
            if (n <= 1 ? _perPeer.TryRemove(new KeyValuePair<IPAddress, int>(address, n)) : _perPeer.TryUpdate(address, n - 1, n))
            {
                return;
            }
        }
    }

    /// <summary>A connection's place under the serving limits, given back once: at its end, or when it becomes a tunnel.</summary>
    private sealed class ServingSlot(PeerServer server, IPAddress address) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                Interlocked.Decrement(ref server._open);
                server.Release(address);
            }
        }
    }

    private async Task ServeAsync(UtpStream utp, ServingSlot slot, CancellationToken cancellationToken)
    {
        var remote = utp.RemoteEndPoint;
        var stream = new ProgressStream(utp, onWrite: n => _owner.AddServed(n));
        var reader = HttpMessageReader.Create(stream, _limits, leaveOpen: true);
        var output = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true, minimumBufferSize: 64 * 1024));
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                HttpRequestHead? head;
                using (var wait = new IdleTimeout(_timings.PeerKeepAlive, _time, cancellationToken))
                {
                    head = await reader.ReadRequestHeadAsync(wait.Token).ConfigureAwait(false);
                }
                if (head is null)
                {
                    break;
                }
                if (head.Method == "CONNECT")
                {
                    // A peer that cannot reach the injector: this client as its bridge, for the rest of the connection,
                    // under the tunnels' own limits (a browser behind the peer opens more than the few serving allows).
                    slot.Dispose();
                    await _owner.Bridge.RunAsync(utp, reader, output, cancellationToken).ConfigureAwait(false);
                    break;
                }
                var body = reader.ReadRequestBody(head);
                while ((await body.ReadAsync(cancellationToken).ConfigureAwait(false)).Kind != HttpBodyPartKind.End)
                {
                }
                using var idle = new IdleTimeout(_timings.PeerBodyTimeout, _time, cancellationToken);
                stream.OnProgress = idle.Reset;
                var keepAlive = await AnswerAsync(head, output, remote, idle.Token).ConfigureAwait(false);
                await output.FlushAsync(idle.Token).ConfigureAwait(false);
                stream.OnProgress = null;
                if (!keepAlive)
                {
                    break;
                }
            }
            await output.CompleteAsync().ConfigureAwait(false);
            utp.CompleteWrites();
            using var linger = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await utp.WritesClosed.WaitAsync(linger.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpParseException or OperationCanceledException or UtpException or ObjectDisposedException or InvalidOperationException)
        {
            Log.PeerConnectionEnded(_logger, remote, e.Message);
            utp.Abort();
        }
        finally
        {
            await reader.DisposeAsync().ConfigureAwait(false);
            await utp.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Answers one request; returns whether the connection goes on.</summary>
    private async Task<bool> AnswerAsync(HttpRequestHead head, PipeWriter output, IPEndPoint remote, CancellationToken cancellationToken)
    {
        var close = head.Version == HttpProtocolVersion.Http10
            || head.Fields.GetAll("Connection").Any(v => v.Contains("close", StringComparison.OrdinalIgnoreCase));
        if (head.Method is not ("GET" or "HEAD"))
        {
            Refuse(output, 405, null, "Only GET and HEAD are served to peers.");
            return false;
        }
        if (!Uri.TryCreate(head.Target, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            Refuse(output, 400, null, "The target must be an absolute http or https URI.");
            return !close;
        }
        var versionText = head.Fields.Get(OuinetHeaders.Version);
        if (versionText is null || !int.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            Refuse(output, 400, null, "X-Ouinet-Version is required.");
            return !close;
        }
        if (version != ProtocolVersion.Current.Value)
        {
            Refuse(output, 400, version < ProtocolVersion.Current.Value ? "1 Client's version too low" : "2 Client's version too high", null, versionText);
            return !close;
        }
        var hit = _cache.Find(head.Target);
        await using var lease = hit is null ? null : await _cache.LeaseAsync(hit, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            Log.PeerMiss(_logger, remote);
            var missing = new HttpResponseHead(404);
            missing.Fields.Add(OuinetHeaders.Version, ProtocolVersion.Current.ToString());
            missing.Fields.Add(OuinetHeaders.Error, "3 Resource retrieval failed");
            missing.Fields.Add("Content-Length", "0");
            HttpWriter.WriteResponseHead(output, missing);
            return !close;
        }
        var outcome = await StoredEntryResponder.WriteAsync(lease.Entry, output, head.Fields.Get("Range"), head.Method == "HEAD", cancellationToken).ConfigureAwait(false);
        _owner.AddEntryServed();
        Log.PeerServed(_logger, remote, outcome, lease.Entry.DataSize);
        return !close;
    }

    internal static void Refuse(PipeWriter output, int status, string? error, string? text, string? version = null)
    {
        var head = new HttpResponseHead(status);
        head.Fields.Add(OuinetHeaders.Version, version ?? ProtocolVersion.Current.ToString());
        if (error is not null)
        {
            head.Fields.Add(OuinetHeaders.Error, error);
        }
        var body = System.Text.Encoding.UTF8.GetBytes(text ?? "");
        head.Fields.Add("Content-Type", "text/plain; charset=utf-8");
        head.Fields.Add("Content-Length", body.Length.ToString(CultureInfo.InvariantCulture));
        HttpWriter.WriteResponseHead(output, head);
        output.Write(body);
    }
}
