using Microsoft.Extensions.Logging;

namespace Ouinet.Overlay;

/// <summary>The overlay's log messages (stable event ids; peer-caused problems at Debug).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "An overlay component failed; continuing")]
    public static partial void ComponentFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Dropped a malformed {What}: {Reason}")]
    public static partial void Malformed(ILogger logger, string what, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "{Ipcp}: bootstrapped layer {Layer} with address {Address}")]
    public static partial void Bootstrapped(ILogger logger, string ipcp, string layer, string address);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "{Ipcp}: enrolled in layer {Layer} through {Via} with address {Address}")]
    public static partial void Enrolled(ILogger logger, string ipcp, string layer, string via, string address);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "{Ipcp}: enrolment through {Via} failed: {Reason}; retrying")]
    public static partial void EnrolFailed(ILogger logger, string ipcp, string via, string reason);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "{Ipcp}: {Component} connection to {Peer} ({Address}) up")]
    public static partial void ConnectionUp(ILogger logger, string ipcp, string component, string peer, string address);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "{Ipcp}: adjacency to {Address} down")]
    public static partial void AdjacencyDown(ILogger logger, string ipcp, string address);

    [LoggerMessage(EventId = 8, Level = LogLevel.Debug, Message = "{Ipcp}: connecting to {Peer} failed: {Reason}")]
    public static partial void ConnectFailed(ILogger logger, string ipcp, string peer, string reason);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "{Ipcp}: routing table recalculated: {Count} destinations")]
    public static partial void Recalculated(ILogger logger, string ipcp, int count);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Registered {Name} in {Layer} as {Hash}")]
    public static partial void Registered(ILogger logger, string name, string layer, string hash);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "{Ipcp}: UDP shim on {EndPoint}, layer {Layer}")]
    public static partial void ShimUp(ILogger logger, string ipcp, string endPoint, string layer);

    [LoggerMessage(EventId = 12, Level = LogLevel.Debug, Message = "{Ipcp}: dropped a datagram from {From} for EID {Eid}: {Reason}")]
    public static partial void ShimDropped(ILogger logger, string ipcp, string from, uint eid, string reason);

    [LoggerMessage(EventId = 13, Level = LogLevel.Information, Message = "Flow allocated to {Name} over {Layer} ({Qos})")]
    public static partial void FlowAllocated(ILogger logger, string name, string layer, string qos);

    [LoggerMessage(EventId = 14, Level = LogLevel.Information, Message = "Flow accepted for {Name} over {Layer} ({Qos})")]
    public static partial void FlowAccepted(ILogger logger, string name, string layer, string qos);

    [LoggerMessage(EventId = 15, Level = LogLevel.Debug, Message = "{Ipcp}: directory {What}")]
    public static partial void Directory(ILogger logger, string ipcp, string what);

    [LoggerMessage(EventId = 16, Level = LogLevel.Information, Message = "{Program} serving {Name}")]
    public static partial void ProgramStarted(ILogger logger, string program, string name);

    [LoggerMessage(EventId = 17, Level = LogLevel.Warning, Message = "A program failed: {Reason}")]
    public static partial void ProgramFailed(ILogger logger, string reason);
}
