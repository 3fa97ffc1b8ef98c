using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Ouinet.Dht;
using Ouinet.Http;
using Ouinet.Injector;
using Ouinet.Protocol;
using Ouinet.Protocol.Dht;
using Ouinet.Protocol.Streams;

namespace Ouinet.Client.DistributedCache;

/// <summary>
/// A peer's response whose head verified with the injector key: its reader, ready for the body, on its connection.
/// Disposing ends the exchange: the connection stays open for another request when the body was read to its end and
/// the peer keeps it, unless the response owns it (a one-off request: then it is closed).
/// </summary>
internal sealed class PeerResponse(PeerConnection connection, bool ownsConnection, bool peerCloses, SignedResponseReader signed, IdleTimeout idle) : IAsyncDisposable
{
    public IPEndPoint Peer => connection.Peer;

    public SignedResponseReader Signed { get; } = signed;

    public ProgressStream Stream => connection.Stream;

    public IdleTimeout Idle { get; } = idle;

    /// <summary>The injection time (seconds), to prefer the newest of several peers' entries.</summary>
    public long InjectionTimestamp => Signed.Injection.Timestamp;

    public async ValueTask DisposeAsync()
    {
        connection.EndExchange(clean: Signed.IsVerified && !peerCloses);
        Signed.Dispose();
        Idle.Dispose();
        if (ownsConnection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>
/// Asks peers for entries: finds them in the DHT (the swarm of the entry's group), connects over uTP, sends the
/// protocol-6 request (<c>GET &lt;absolute URI&gt;</c>, <c>X-Ouinet-Version: 6</c>) and verifies the head with the
/// injector key and the expected URI before anything is used. Several peers are asked at once; among the heads that
/// verified within a short grace, the newest injection wins.
/// </summary>
internal sealed class PeerFetcher(DistributedCacheService owner)
{
    private DistributedCacheTimings Timings => owner.Options.DistributedCacheTimings;

    /// <summary>Peers of <paramref name="group"/>'s swarm as the DHT finds them (our own endpoint left out), ending with the lookup.</summary>
    public ChannelReader<IPEndPoint> FindPeers(string group, CancellationToken cancellationToken)
    {
        var swarm = SwarmName.ForGroup(owner.Key, ProtocolVersion.Current, group);
        var infoHash = new InfoHash(swarm.InfoHash);
        var channel = Channel.CreateUnbounded<IPEndPoint>();
        var self = owner.LocalEndPoint;
        var external = owner.PublicEndPoint;
        _ = Task.Run(async () =>
        {
            var seen = new HashSet<IPEndPoint>();
            try
            {
                await owner.Dht.WaitForBootstrapAsync(cancellationToken).ConfigureAwait(false);
                await foreach (var peer in owner.Dht.GetPeersAsync(infoHash, cancellationToken).ConfigureAwait(false))
                {
                    if (IsSelf(peer, self, external) || !seen.Add(peer))
                    {
                        continue;
                    }
                    Log.PeerFound(owner.Logger, swarm.Name, peer);
                    channel.Writer.TryWrite(peer);
                }
                channel.Writer.TryComplete();
            }
            catch (Exception e)
            {
                channel.Writer.TryComplete(e is OperationCanceledException ? null : e);
            }
            finally
            {
                owner.AddLookup(foundPeers: seen.Count > 0);
            }
        }, CancellationToken.None);
        return channel.Reader;
    }

    private static bool IsSelf(IPEndPoint peer, IPEndPoint self, IPEndPoint? external) =>
        peer.Equals(external) || (peer.Port == self.Port && (peer.Address.Equals(self.Address) || self.Address.Equals(IPAddress.Any) && (IPAddress.IsLoopback(peer.Address))));

    /// <summary>
    /// Connects to <paramref name="peer"/>, asks for <paramref name="uri"/> (whole, or <paramref name="range"/>) and
    /// verifies the head; the connection is closed with the response. Throws <see cref="PeerException"/> when the peer
    /// cannot be reached (10 s), does not answer (10 s more), has no entry or its answer does not verify.
    /// </summary>
    public async Task<PeerResponse> RequestAsync(IPEndPoint peer, string uri, RequestedRange? range, CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(peer, cancellationToken).ConfigureAwait(false);
        return await ExchangeAsync(connection, ownsConnection: true, uri, range, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A connection to <paramref name="peer"/> (within <see cref="DistributedCacheTimings.PeerHeadTimeout"/>) for one request after another.</summary>
    public async Task<PeerConnection> ConnectAsync(IPEndPoint peer, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, owner.Stopping);
        timeout.CancelAfter(Timings.PeerHeadTimeout);
        try
        {
            return await PeerConnection.ConnectAsync(owner, peer, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (IsConnectionFailure(e, cancellationToken))
        {
            throw new PeerException(timeout.IsCancellationRequested ? $"{peer} did not answer within {Timings.PeerHeadTimeout.TotalSeconds:0.#} s" : $"{peer}: {e.Message}", rejected: false, e);
        }
    }

    /// <summary>
    /// Asks on <paramref name="connection"/> (kept open by the caller for the next request) and verifies the head; the
    /// response leaves the connection reusable when read to its end. A reused connection the peer has closed meanwhile
    /// throws a <see cref="PeerException"/> with <see cref="PeerException.Stale"/>: ask again on a new one.
    /// </summary>
    public Task<PeerResponse> RequestAsync(PeerConnection connection, string uri, RequestedRange? range, CancellationToken cancellationToken) =>
        ExchangeAsync(connection, ownsConnection: false, uri, range, cancellationToken);

    private async Task<PeerResponse> ExchangeAsync(PeerConnection connection, bool ownsConnection, string uri, RequestedRange? range, CancellationToken cancellationToken)
    {
        // The idle timeout outlives this call (it then guards the body), so it hangs on the service's lifetime only;
        // the head phase also ends with the caller's token.
        var idle = new IdleTimeout(Timings.PeerHeadTimeout, owner.Options.TimeProvider, owner.Stopping);
        var peer = connection.Peer;
        var reused = connection.Exchanges > 0;
        var headRead = false;
        using var phase = CancellationTokenSource.CreateLinkedTokenSource(idle.Token, cancellationToken);
        try
        {
            var target = new Uri(uri);
            var request = new HttpRequestHead("GET", uri);
            request.Fields.Add("Host", target.Authority);
            request.Fields.Add(OuinetHeaders.Version, ProtocolVersion.Current.ToString());
            request.Fields.Add("User-Agent", "Ouinet.Bep5.Client");
            if (range is { } r)
            {
                request.Fields.Add("Range", r.Last is { } last ? $"bytes={r.First}-{last}" : $"bytes={r.First}-");
            }
            HttpWriter.WriteRequestHead(connection.Writer, request);
            await connection.Writer.FlushAsync(phase.Token).ConfigureAwait(false);
            var head = await connection.Reader.ReadResponseHeadAsync(phase.Token).ConfigureAwait(false);
            headRead = true;
            var peerCloses = head.Fields.GetAll("Connection").Any(v => v.Contains("close", StringComparison.OrdinalIgnoreCase));
            if (head.StatusCode == 404)
            {
                throw new PeerException($"{peer} has no entry (404)", rejected: false);
            }
            var body = connection.Reader.ReadResponseBody(head, "GET");
            var options = new SignedResponseOptions { ExpectedUri = uri, RequestedRange = range, AllowCompleteOnly = false };
            SignedResponseReader signed;
            try
            {
                signed = await SignedResponseReader.OpenAsync(head, body, owner.Key, options, phase.Token).ConfigureAwait(false);
            }
            catch (OuinetVerificationException e)
            {
                throw new PeerException($"{peer}'s answer ({head.StatusCode}) failed verification ({e.Code}): {e.Message}", rejected: true, e);
            }
            // From now on the idle timeout is the body's: reset by every byte.
            var response = new PeerResponse(connection, ownsConnection, peerCloses, signed, idle);
            connection.Stream.OnProgress = idle.Reset;
            return response;
        }
        catch (Exception e) when (e is not PeerException && (e is HttpParseException || IsConnectionFailure(e, cancellationToken)))
        {
            await Cleanup().ConfigureAwait(false);
            var stale = reused && !headRead && !idle.HasTimedOut && e is not OperationCanceledException;
            throw new PeerException(idle.HasTimedOut ? $"{peer} did not answer within {Timings.PeerHeadTimeout.TotalSeconds:0.#} s" : $"{peer}: {e.Message}",
                rejected: e is HttpParseException && !stale, e) { Stale = stale };
        }
        catch
        {
            await Cleanup().ConfigureAwait(false);
            throw;
        }

        async ValueTask Cleanup()
        {
            idle.Dispose();
            connection.EndExchange(clean: false);
            if (ownsConnection)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static bool IsConnectionFailure(Exception e, CancellationToken cancellationToken) =>
        e is IOException or ObjectDisposedException or InvalidOperationException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    /// <summary>
    /// Asks up to <see cref="DistributedCacheTimings.ParallelPeers"/> peers from <paramref name="peers"/> at once for
    /// <paramref name="uri"/>; once one head verified, waits <see cref="DistributedCacheTimings.NewestInjectionGrace"/>
    /// for the others and returns the newest injection (the rest are closed). Null when the peers ran out.
    /// Peers that answered with something that does not verify go into <paramref name="failures"/>; those whose heads
    /// verified but were not chosen into <paramref name="alsoGood"/> (they may give ranges of a large entry).
    /// </summary>
    public async Task<PeerResponse?> BestResponseAsync(ChannelReader<IPEndPoint> peers, HashSet<IPEndPoint> tried, Queue<IPEndPoint> again, string uri, List<string> failures,
        CancellationToken cancellationToken, List<IPEndPoint>? alsoGood = null)
    {
        var running = new List<Task<PeerResponse>>();
        var good = new List<PeerResponse>();
        DateTimeOffset? graceEnds = null;
        var time = owner.Options.TimeProvider;
        var peersDone = false;
        using var attempts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            while (true)
            {
                while ((!peersDone || again.Count > 0) && running.Count < Timings.ParallelPeers && graceEnds is null)
                {
                    if (again.TryDequeue(out var peer) || peers.TryRead(out peer))
                    {
                        if (tried.Add(peer))
                        {
                            running.Add(Tagged(peer, RequestAsync(peer, uri, null, attempts.Token)));
                        }
                        continue;
                    }
                    if (peers.Completion.IsCompleted)
                    {
                        peersDone = true;
                    }
                    break;
                }
                if (running.Count == 0)
                {
                    if (good.Count > 0 || (peersDone && again.Count == 0))
                    {
                        break;
                    }
                    // Wait for the lookup to find someone.
                    if (!await peers.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        peersDone = true;
                    }
                    continue;
                }
                var waits = new List<Task>(running);
                Task? timer = null;
                if (graceEnds is { } end)
                {
                    timer = Task.Delay(Max(TimeSpan.Zero, end - time.GetUtcNow()), time, cancellationToken);
                    waits.Add(timer);
                }
                else if (!peersDone && running.Count < Timings.ParallelPeers)
                {
                    waits.Add(peers.WaitToReadAsync(cancellationToken).AsTask());
                }
                var done = await Task.WhenAny(waits).ConfigureAwait(false);
                if (done == timer)
                {
                    break;
                }
                if (done is Task<PeerResponse> attempt)
                {
                    running.Remove(attempt);
                    try
                    {
                        good.Add(await attempt.ConfigureAwait(false));
                        graceEnds ??= time.GetUtcNow() + Timings.NewestInjectionGrace;
                    }
                    catch (PeerException e)
                    {
                        failures.Add(e.Message);
                        if (e.Rejected)
                        {
                            owner.AddRejected();
                            Log.PeerRejected(owner.Logger, e.Message);
                        }
                        else
                        {
                            Log.PeerFailed(owner.Logger, e.Message);
                        }
                    }
                    if (graceEnds is not null && running.Count == 0)
                    {
                        break;
                    }
                }
                else
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (done.IsCompleted && done is Task<bool> { Result: false })
                    {
                        peersDone = true;
                    }
                }
            }
            if (good.Count == 0)
            {
                return null;
            }
            var best = good.MaxBy(r => r.InjectionTimestamp)!;
            good.Remove(best);
            return best;
        }
        finally
        {
            await attempts.CancelAsync().ConfigureAwait(false);
            foreach (var other in good)
            {
                alsoGood?.Add(other.Peer);
                await other.DisposeAsync().ConfigureAwait(false);
            }
            foreach (var pending in running)
            {
                // Asked but cut short by the choice: it may be asked again if the chosen peer fails.
                if (_peers.TryGetValue(pending, out var cut))
                {
                    tried.Remove(cut);
                    again.Enqueue(cut);
                }
                _ = pending.ContinueWith(static t =>
                {
                    if (t.IsCompletedSuccessfully)
                    {
                        _ = t.Result.DisposeAsync().AsTask();
                    }
                    _ = t.Exception;
                }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<Task<PeerResponse>, IPEndPoint> _peers = new();

    private Task<PeerResponse> Tagged(IPEndPoint peer, Task<PeerResponse> task)
    {
        _peers.AddOrUpdate(task, peer);
        return task;
    }
}

/// <summary>A peer that could not give us the entry; <see cref="Rejected"/> when what it sent did not verify.</summary>
internal sealed class PeerException(string message, bool rejected, Exception? inner = null) : Exception(message, inner)
{
    public bool Rejected { get; } = rejected;

    /// <summary>A reused connection was closed by the peer before it answered (its keep-alive ran out): not the peer's fault.</summary>
    public bool Stale { get; init; }
}
