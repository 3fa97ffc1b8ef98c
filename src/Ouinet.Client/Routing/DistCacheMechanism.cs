using Microsoft.Extensions.Logging;
using Ouinet.Cache.Policy;
using Ouinet.Cache.Store;
using Ouinet.Client.Caching;
using Ouinet.Client.DistributedCache;
using Ouinet.Http;
using Ouinet.Protocol;
using Ouinet.Protocol.Headers;

namespace Ouinet.Client.Routing;

/// <summary>
/// The distributed cache (<c>X-Ouinet-Source: dist-cache</c>): other clients that announced the entry's group swarm in
/// the DHT are asked for it over uTP; their heads are verified with the injector key and the expected URI, the newest
/// injection among those that verified is taken, and its body is verified block by block as it arrives.
/// <list type="bullet">
/// <item>An entry of up to <see cref="WholeFirstLimit"/> bytes that may be stored is fetched whole, verified and stored
/// <em>before</em> the browser gets anything, then served from the store: a peer that sends a bad block or stops
/// early is dropped and the next peer is asked, so the browser never sees it.</item>
/// <item>A larger one (or one that may not be stored) is streamed to the browser as it verifies (as injection is),
/// stored at the same time; a failure then cuts the browser connection, never passing a bad byte.</item>
/// </list>
/// A stored entry is announced at once (<see cref="Announcer.Nudge"/>). Switched off at run time by
/// <see cref="DistributedCacheService.SetEnabled"/> (from the client's switches).
/// </summary>
internal sealed class DistCacheMechanism(DistributedCacheService service, LocalCache cache, bool cachePrivate, ILogger logger) : IMechanism
{
    /// <summary>Entries up to this size are fetched whole (and a bad peer replaced) before the browser gets the head.</summary>
    public const long WholeFirstLimit = 4L * 1024 * 1024;

    public Mechanism Kind => Mechanism.DistributedCache;

    public async Task<Answer> TryAsync(RouteRequest request, CancellationToken cancellationToken)
    {
        if (!service.IsEnabled)
        {
            throw new MechanismFailedException("switched off");
        }
        if (request.CanonicalUri is not { } uri)
        {
            throw new MechanismFailedException("the URI has no canonical form");
        }
        if (request.Head.Method is not ("GET" or "HEAD"))
        {
            throw new MechanismFailedException("only GET and HEAD are asked of peers");
        }
        var group = request.Group ?? uri;
        var failures = new List<string>();
        var tried = new HashSet<System.Net.IPEndPoint>();
        var again = new Queue<System.Net.IPEndPoint>();
        using var lookup = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, service.Stopping);
        lookup.CancelAfter(service.Options.DistributedCacheTimings.LookupTimeout);
        var peers = service.Fetcher.FindPeers(group, lookup.Token);
        try
        {
            while (true)
            {
                var response = await service.Fetcher.BestResponseAsync(peers, tried, again, uri, failures, lookup.Token);
                if (response is null)
                {
                    break;
                }
                var answer = await UseAsync(response, request, uri, group, failures, cancellationToken);
                if (answer is not null)
                {
                    return answer;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            failures.Add($"gave up after {service.Options.DistributedCacheTimings.LookupTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is not OperationCanceledException and not MechanismFailedException)
        {
            failures.Add($"the lookup failed: {e.Message}");
        }
        var peerCount = tried.Count;
        throw new MechanismFailedException(peerCount == 0
            ? $"no peer found in the swarm of \"{group}\"" + (failures.Count > 0 ? $" ({string.Join("; ", failures)})" : "")
            : $"{peerCount} peer(s) asked, none gave a valid entry: {string.Join("; ", failures)}");
    }

    /// <summary>Takes the body from <paramref name="response"/>; null (the response disposed) when the peer failed before the browser got anything.</summary>
    private async Task<Answer?> UseAsync(PeerResponse response, RouteRequest request, string uri, string group, List<string> failures, CancellationToken cancellationToken)
    {
        var reader = response.Signed;
        var decision = ResponsePolicy.Decide(request.Head, uri, reader.Head, cachePrivate);
        var size = DataSizeHeader.TryParse(reader.Head.Fields.Get(OuinetHeaders.DataSize), out var announced) ? announced : (long?)null;
        if (decision == StoreDecision.Store && size is { } known && known <= WholeFirstLimit)
        {
            try
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, response.Idle.Token);
                var stored = await VerifiedEntryRecorder.RecordAsync(cache.Store, reader, group, null, linked.Token);
                if (stored && cache.Find(uri) is { } hit && await cache.LeaseAsync(hit, cancellationToken) is { } lease)
                {
                    service.AddEntryFetched();
                    service.Announcer.Nudge();
                    Log.FetchedFromPeer(logger, response.Peer, reader.DataSize ?? 0);
                    await response.DisposeAsync();
                    return new CachedAnswer(lease, Mechanism.DistributedCache, []);
                }
                failures.Add($"{response.Peer}: the entry could not be stored");
            }
            catch (Exception e) when (e is OuinetVerificationException or IOException or HttpParseException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                var reason = e is OperationCanceledException ? "stopped sending" : e is OuinetVerificationException v ? $"body failed verification ({v.Code}): {v.Message}" : $"broke off: {e.Message}";
                failures.Add($"{response.Peer}: {reason}");
                service.AddRejected();
                Log.PeerRejected(service.Logger, $"{response.Peer}: {reason}");
            }
            await response.DisposeAsync();
            return null;
        }
        service.AddEntryFetched();
        return new InjectedAnswer(reader, response, decision == StoreDecision.Store ? cache.Store : null, decision, group, logger,
            Mechanism.DistributedCache, service.Announcer.Nudge);
    }
}
