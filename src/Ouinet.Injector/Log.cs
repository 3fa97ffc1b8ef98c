using System.Net;
using Microsoft.Extensions.Logging;
using Ouinet.Injector.Origin;

namespace Ouinet.Injector;

/// <summary>
/// Every log message of the injector, with stable event ids. Client- and origin-caused failures are Debug; request
/// targets (users' browsing) only when <see cref="InjectorOptions.LogTargets"/> is on; client addresses never.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "HTTP signing public key (Ed25519): {PublicKey}")]
    public static partial void PublicKey(ILogger logger, string publicKey);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Listening on {Endpoint}")]
    public static partial void Listening(ILogger logger, InjectorEndpoint endpoint);

    [LoggerMessage(EventId = 31, Level = LogLevel.Information, Message = "Listening on {Listener}")]
    public static partial void ListeningOn(ILogger logger, string listener);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Stopping: no new connections; {Count} connections get {Grace} to finish")]
    public static partial void Stopping(ILogger logger, int count, TimeSpan grace);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Grace time over: aborting {Count} connections")]
    public static partial void Aborting(ILogger logger, int count);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Accepting on {EndPoint} failed: {Reason}")]
    public static partial void AcceptFailed(ILogger logger, IPEndPoint endPoint, string reason);

    [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "Malformed request ({Status}): {Reason}")]
    public static partial void BadRequest(ILogger logger, int status, string reason);

    [LoggerMessage(EventId = 11, Level = LogLevel.Debug, Message = "Request refused ({Status}): {Reason}")]
    public static partial void Refused(ILogger logger, int status, string reason);

    [LoggerMessage(EventId = 12, Level = LogLevel.Debug, Message = "Origin failure {Error}: {Reason}")]
    public static partial void OriginFailed(ILogger logger, OriginError error, string reason);

    [LoggerMessage(EventId = 13, Level = LogLevel.Debug, Message = "Transfer aborted after the response head: {Reason}")]
    public static partial void TransferAborted(ILogger logger, string reason);

    [LoggerMessage(EventId = 14, Level = LogLevel.Debug, Message = "Connection ended: {Reason}")]
    public static partial void ConnectionEnded(ILogger logger, string reason);

    [LoggerMessage(EventId = 20, Level = LogLevel.Debug, Message = "{Kind} {Method} {Target}")]
    public static partial void Request(ILogger logger, string kind, string method, string target);

    [LoggerMessage(EventId = 21, Level = LogLevel.Debug, Message = "{Kind} {Method}")]
    public static partial void RequestNoTarget(ILogger logger, string kind, string method);

    [LoggerMessage(EventId = 22, Level = LogLevel.Debug, Message = "Injected {Status} as {InjectionId}, {Bytes} body bytes")]
    public static partial void Injected(ILogger logger, int status, string injectionId, long bytes);

    [LoggerMessage(EventId = 30, Level = LogLevel.Error, Message = "Unexpected failure on a client connection")]
    public static partial void Unexpected(ILogger logger, Exception exception);
}
