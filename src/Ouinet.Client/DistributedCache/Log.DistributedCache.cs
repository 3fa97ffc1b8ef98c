using System.Net;
using Microsoft.Extensions.Logging;

namespace Ouinet.Client;

/// <summary>The distributed cache's log messages (event ids 200–249).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Distributed cache: DHT and uTP on UDP {EndPoint} ({Extra} extra bootstrap nodes, public routers: {Routers})")]
    public static partial void DistributedCacheStarted(ILogger logger, IPEndPoint endPoint, int extra, bool routers);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Distributed cache fetching switched {Enabled}")]
    public static partial void DistributedCacheSwitched(ILogger logger, bool enabled);

    [LoggerMessage(EventId = 202, Level = LogLevel.Debug, Message = "Accepting a peer connection failed: {Reason}")]
    public static partial void PeerAcceptFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 203, Level = LogLevel.Debug, Message = "Peer {Peer} refused: too many connections")]
    public static partial void PeerRefused(ILogger logger, IPEndPoint peer);

    [LoggerMessage(EventId = 204, Level = LogLevel.Debug, Message = "Peer connection from {Peer} ended: {Reason}")]
    public static partial void PeerConnectionEnded(ILogger logger, IPEndPoint peer, string reason);

    [LoggerMessage(EventId = 205, Level = LogLevel.Debug, Message = "Peer {Peer} asked for an entry we do not have")]
    public static partial void PeerMiss(ILogger logger, IPEndPoint peer);

    [LoggerMessage(EventId = 206, Level = LogLevel.Information, Message = "Served an entry to peer {Peer} ({Outcome}, {Size} bytes)")]
    public static partial void PeerServed(ILogger logger, IPEndPoint peer, Ouinet.Protocol.Streams.RangeRequestOutcome outcome, long size);

    [LoggerMessage(EventId = 207, Level = LogLevel.Information, Message = "Announced group {Group} to {Nodes} DHT nodes")]
    public static partial void Announced(ILogger logger, string group, int nodes);

    [LoggerMessage(EventId = 208, Level = LogLevel.Debug, Message = "Announcing group {Group} failed; retrying later")]
    public static partial void AnnounceFailed(ILogger logger, string group);

    [LoggerMessage(EventId = 209, Level = LogLevel.Information, Message = "No longer announcing group {Group}")]
    public static partial void Unannounced(ILogger logger, string group);

    [LoggerMessage(EventId = 210, Level = LogLevel.Debug, Message = "Swarm {Swarm}: peer {Peer}")]
    public static partial void PeerFound(ILogger logger, string swarm, IPEndPoint peer);

    [LoggerMessage(EventId = 211, Level = LogLevel.Warning, Message = "Peer rejected: {Reason}")]
    public static partial void PeerRejected(ILogger logger, string reason);

    [LoggerMessage(EventId = 212, Level = LogLevel.Debug, Message = "Peer failed: {Reason}")]
    public static partial void PeerFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 213, Level = LogLevel.Information, Message = "Fetched an entry from peer {Peer} ({Size} bytes), verified and stored")]
    public static partial void FetchedFromPeer(ILogger logger, IPEndPoint peer, long size);

    [LoggerMessage(EventId = 214, Level = LogLevel.Information, Message = "Fetched an entry by ranges ({Size} bytes, {Ranges} ranges from {Peers} peers), verified (stored: {Stored})")]
    public static partial void FetchedByRanges(ILogger logger, long size, int ranges, int peers, bool stored);

    [LoggerMessage(EventId = 215, Level = LogLevel.Information, Message = "Peer {Peer} dropped from the range fetch as slow: {Rate:0.00} MiB/s overall and its last two ranges, under a quarter of the best peer's {Best:0.00} MiB/s")]
    public static partial void PeerSlow(ILogger logger, IPEndPoint peer, double rate, double best);

    [LoggerMessage(EventId = 240, Level = LogLevel.Information, Message = "Peer dropped from the range fetch: {Reason} (tried again later: {Again})")]
    public static partial void RangePeerDropped(ILogger logger, string reason, bool again);

    [LoggerMessage(EventId = 241, Level = LogLevel.Warning, Message = "Range fetch cut short after {Sent} of {Size} bytes, the browser connection is cut: {Reason}")]
    public static partial void RangeFetchCutShort(ILogger logger, long sent, long size, string reason);

    [LoggerMessage(EventId = 242, Level = LogLevel.Debug, Message = "Peer {Peer} closed a kept-alive connection before answering ({Reason}); asking again on a new one")]
    public static partial void KeptConnectionClosed(ILogger logger, IPEndPoint peer, string reason);

    [LoggerMessage(EventId = 216, Level = LogLevel.Information, Message = "Injector found in the DHT swarm {Swarm}: {EndPoint}")]
    public static partial void InjectorFound(ILogger logger, string swarm, IPEndPoint endPoint);

    [LoggerMessage(EventId = 217, Level = LogLevel.Information, Message = "Injector candidate {EndPoint} skipped: {Reason}")]
    public static partial void InjectorCandidateFailed(ILogger logger, IPEndPoint endPoint, string reason);
}
