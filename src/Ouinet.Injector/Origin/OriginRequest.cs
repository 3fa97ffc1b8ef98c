using System.IO.Pipelines;
using Ouinet.Http;

namespace Ouinet.Injector.Origin;

/// <summary>
/// One request to an origin. <see cref="Host"/> is what to resolve and, for TLS, the SNI name and the name the
/// certificate must match (an IP literal without brackets, or a DNS name); the <c>Host</c> field is the caller's.
/// </summary>
public sealed record OriginRequest
{
    public required string Host { get; init; }

    public required int Port { get; init; }

    /// <summary>HTTPS: TLS to the origin, certificate validated.</summary>
    public bool UseTls { get; init; }

    /// <summary>Request line (origin-form target) and fields, framing fields included when there is a body.</summary>
    public required HttpRequestHead Head { get; init; }

    /// <summary>Writes the body (framed as the head says) after the head; null for no body.</summary>
    public Func<PipeWriter, CancellationToken, ValueTask>? WriteBody { get; init; }

    /// <summary>Called on every read or write on the origin connection that moved bytes (to reset an idle timeout).</summary>
    public Action? OnProgress { get; init; }

    /// <summary>A request that may be sent again on a fresh connection when a reused one turns out dead.</summary>
    internal bool IsRetryable => WriteBody is null && Head.Method is "GET" or "HEAD" or "OPTIONS" or "TRACE" or "PUT" or "DELETE";
}
