using System.Net;
using Microsoft.Extensions.Logging;

namespace Ouinet.Client;

/// <summary>Bridges' log messages (event ids 230–239).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 230, Level = LogLevel.Information, Message = "Announcing as a bridge in {Swarm} (the injector answered directly)")]
    public static partial void AnnouncingAsBridge(ILogger logger, string swarm);

    [LoggerMessage(EventId = 231, Level = LogLevel.Information, Message = "Announced as a bridge to {Nodes} DHT nodes")]
    public static partial void AnnouncedAsBridge(ILogger logger, int nodes);

    [LoggerMessage(EventId = 232, Level = LogLevel.Information, Message = "Not announcing as a bridge: {Reason}")]
    public static partial void NotABridge(ILogger logger, string reason);

    [LoggerMessage(EventId = 233, Level = LogLevel.Information, Message = "Reaching the injector through bridge {Bridge}")]
    public static partial void ThroughBridge(ILogger logger, IPEndPoint bridge);

    [LoggerMessage(EventId = 234, Level = LogLevel.Information, Message = "Bridge {Bridge} did not reach the injector: {Reason}")]
    public static partial void BridgeFailed(ILogger logger, IPEndPoint bridge, string reason);

    [LoggerMessage(EventId = 235, Level = LogLevel.Information, Message = "Bridging peer {Peer} to the injector")]
    public static partial void Bridging(ILogger logger, IPEndPoint peer);

    [LoggerMessage(EventId = 236, Level = LogLevel.Information, Message = "Bridge for peer {Peer} refused: {Reason}")]
    public static partial void BridgeRefused(ILogger logger, IPEndPoint peer, string reason);

    [LoggerMessage(EventId = 237, Level = LogLevel.Debug, Message = "Bridge for peer {Peer} ended ({Up} bytes up, {Down} down){Reason}")]
    public static partial void BridgeEnded(ILogger logger, IPEndPoint peer, long up, long down, string reason);
}
