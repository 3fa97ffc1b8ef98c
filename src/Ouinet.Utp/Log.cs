using System.Net;
using Microsoft.Extensions.Logging;

namespace Ouinet.Utp;

/// <summary>uTP log messages. Peer behaviour is logged at Debug; addresses only with <see cref="UtpSocketOptions.LogEndpoints"/>.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "uTP: dropped a malformed datagram from {Peer}: {Reason}")]
    public static partial void MalformedPacket(ILogger logger, LoggedPeer peer, Packets.UtpPacketError reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "uTP: accepted connection {ConnectionId} from {Peer}")]
    public static partial void Accepted(ILogger logger, ushort connectionId, LoggedPeer peer);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "uTP: refused a connection from {Peer} ({Reason})")]
    public static partial void Refused(ILogger logger, LoggedPeer peer, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "uTP: connection {ConnectionId} with {Peer} failed: {Error}")]
    public static partial void Failed(ILogger logger, ushort connectionId, LoggedPeer peer, UtpError error);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "uTP: connection {ConnectionId} with {Peer} closed")]
    public static partial void Closed(ILogger logger, ushort connectionId, LoggedPeer peer);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "uTP: connection {ConnectionId} timed out ({What}; {Count} in a row, timeout now {TimeoutMs} ms)")]
    public static partial void Timeout(ILogger logger, ushort connectionId, string what, int count, long timeoutMs);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "uTP: a timer pass failed; continuing")]
    public static partial void TickFailed(ILogger logger, Exception exception);

}

/// <summary>A peer address that shows only when <see cref="UtpSocketOptions.LogEndpoints"/> is set; formatted only if logged.</summary>
internal readonly record struct LoggedPeer(IPEndPoint EndPoint, bool Show)
{
    public override string ToString() => Show ? EndPoint.ToString() : "(peer)";
}
