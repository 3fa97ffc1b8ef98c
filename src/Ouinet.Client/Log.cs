using System.Net;
using Microsoft.Extensions.Logging;
using Ouinet.Cache.Policy;

namespace Ouinet.Client;

/// <summary>
/// Every log message of the client, with stable event ids. Failures caused by the browser, origins or the injector are
/// Debug (a blocked origin is what the client is for), verification failures Warning; URLs only with
/// <see cref="ClientOptions.LogTargets"/>; browser addresses never.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Client proxy listening on {EndPoint}")]
    public static partial void Listening(ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "TLS interception CA: {Path} (install it in the browser as an authority)")]
    public static partial void CertificateAuthority(ILogger logger, string path);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Injector: {Endpoint} ({Security})")]
    public static partial void Injector(ILogger logger, string endpoint, string security);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Local cache: {Count} entries, {Bytes} bytes; static cache: {StaticCount} entries")]
    public static partial void CacheOpened(ILogger logger, int count, long bytes, int staticCount);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Stopping: {Count} connections get {Grace} to finish")]
    public static partial void Stopping(ILogger logger, int count, TimeSpan grace);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Accepting a browser connection failed: {Reason}")]
    public static partial void AcceptFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "Mechanisms: {Mechanisms}")]
    public static partial void Mechanisms(ILogger logger, string mechanisms);

    [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "Malformed browser request ({Status}): {Reason}")]
    public static partial void BadRequest(ILogger logger, int status, string reason);

    [LoggerMessage(EventId = 11, Level = LogLevel.Debug, Message = "{Method} {Target}: {Reason}")]
    public static partial void Request(ILogger logger, string method, string target, string reason);

    [LoggerMessage(EventId = 12, Level = LogLevel.Debug, Message = "{Method}: {Reason}")]
    public static partial void RequestNoTarget(ILogger logger, string method, string reason);

    [LoggerMessage(EventId = 13, Level = LogLevel.Debug, Message = "Answered by {Source} ({Status})")]
    public static partial void Answered(ILogger logger, string source, int status);

    [LoggerMessage(EventId = 14, Level = LogLevel.Debug, Message = "Mechanism {Mechanism} failed: {Reason}")]
    public static partial void MechanismFailed(ILogger logger, string mechanism, string reason);

    [LoggerMessage(EventId = 15, Level = LogLevel.Debug, Message = "The origin has not answered within {Delay}: starting the next mechanisms in parallel")]
    public static partial void OriginSlow(ILogger logger, TimeSpan delay);

    [LoggerMessage(EventId = 16, Level = LogLevel.Information, Message = "Every mechanism failed: {Reasons}")]
    public static partial void AllFailed(ILogger logger, string reasons);

    [LoggerMessage(EventId = 17, Level = LogLevel.Debug, Message = "Stored a verified entry of {Size} bytes")]
    public static partial void Stored(ILogger logger, long size);

    [LoggerMessage(EventId = 18, Level = LogLevel.Debug, Message = "Verified, not stored: {Decision}")]
    public static partial void NotStored(ILogger logger, StoreDecision decision);

    [LoggerMessage(EventId = 19, Level = LogLevel.Warning, Message = "An injector response failed verification ({Code}); not stored, browser connection cut: {Reason}")]
    public static partial void VerificationFailed(ILogger logger, string code, string reason);

    [LoggerMessage(EventId = 20, Level = LogLevel.Debug, Message = "Browser connection ended: {Reason}")]
    public static partial void ConnectionEnded(ILogger logger, string reason);

    [LoggerMessage(EventId = 21, Level = LogLevel.Debug, Message = "Transfer cut after the response head: {Reason}")]
    public static partial void TransferAborted(ILogger logger, string reason);

    [LoggerMessage(EventId = 22, Level = LogLevel.Warning, Message = "X-Ouinet-Private with X-Ouinet-Group: the request stays private and is not cached")]
    public static partial void PrivateWithGroup(ILogger logger);

    [LoggerMessage(EventId = 23, Level = LogLevel.Debug, Message = "TLS with the browser failed for a CONNECT: {Reason}")]
    public static partial void InterceptionFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 24, Level = LogLevel.Error, Message = "Unexpected error on a browser connection")]
    public static partial void Unexpected(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 25, Level = LogLevel.Information, Message = "Front-end listening on http://{EndPoint}/")]
    public static partial void FrontEndListening(ILogger logger, IPEndPoint endPoint);
}
