using System.Net;
using Microsoft.Extensions.Logging;
using Ouinet.Dht.Messages;

namespace Ouinet.Dht;

/// <summary>The DHT's log messages. Peer-caused trouble is Debug: on the public DHT it is constant and not ours.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Dropped a datagram from {From}: {Error}")]
    public static partial void Malformed(ILogger logger, IPEndPoint from, KrpcDecodeError error);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Malformed reply from {From}: {Error}")]
    public static partial void MalformedReply(ILogger logger, IPEndPoint from, KrpcDecodeError error);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Error {Code} \"{Text}\" from {From}")]
    public static partial void ErrorReceived(ILogger logger, IPEndPoint from, int code, string? text);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "External endpoint (BEP 42 ip): {EndPoint}")]
    public static partial void ExternalEndPoint(ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Node ID is now {Id} (BEP 42)")]
    public static partial void IdChanged(ILogger logger, NodeId id);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Bootstrapped: {Nodes} nodes after {Queries} queries")]
    public static partial void Bootstrapped(ILogger logger, int nodes, int queries);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Bootstrap failed: none of {Count} bootstrap nodes answered; retrying")]
    public static partial void BootstrapFailed(ILogger logger, int count);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Could not resolve bootstrap node {Host}: {Reason}")]
    public static partial void ResolveFailed(ILogger logger, string host, string reason);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Bootstrap node {Node} skipped: {Reason}")]
    public static partial void BootstrapSkipped(ILogger logger, string node, string reason);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Could not save DHT state to {Path}")]
    public static partial void SaveFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Ignoring unreadable DHT state in {Path}: {Reason}")]
    public static partial void LoadFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 12, Level = LogLevel.Error, Message = "DHT background task failed")]
    public static partial void BackgroundFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 13, Level = LogLevel.Debug, Message = "Announce of {InfoHash} failed; retrying later")]
    public static partial void AnnounceFailed(ILogger logger, NodeId infoHash, Exception? exception);
}
