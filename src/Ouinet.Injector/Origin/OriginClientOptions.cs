using System.Security.Cryptography.X509Certificates;
using Ouinet.Http;

namespace Ouinet.Injector.Origin;

/// <summary>How an <see cref="OriginClient"/> reaches origins.</summary>
public sealed record OriginClientOptions
{
    /// <summary>Resolving, connecting and the TLS handshake, together. Ouinet C++ allows 4 minutes for TCP alone; 30 s is plenty for a server.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest silence while sending a request or waiting for a response head (Ouinet C++'s per-activity timeout).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Connect to loopback, private, link-local and other non-public addresses (see <see cref="TargetAddressPolicy"/>).</summary>
    public bool AllowPrivateTargets { get; init; }

    /// <summary>
    /// Certificate authorities trusted for origin TLS in addition to the system store (Ouinet's
    /// <c>tls-ca-cert-store-file</c>); tests put their own CA here.
    /// </summary>
    public IReadOnlyList<X509Certificate2> ExtraTrustedCertificates { get; init; } = [];

    /// <summary>Idle keep-alive connections kept per origin (scheme, host, port).</summary>
    public int MaxIdleConnectionsPerOrigin { get; init; } = 16;

    /// <summary>An idle pooled connection older than this is closed instead of reused.</summary>
    public TimeSpan PooledConnectionLifetime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Bounds on origin response heads, chunk lines and trailers.</summary>
    public HttpLimits Limits { get; init; } = HttpLimits.Default;

    public IOriginResolver Resolver { get; init; } = SystemOriginResolver.Instance;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Every invalid setting, described; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (ConnectTimeout <= TimeSpan.Zero)
        {
            errors.Add("the origin connect timeout must be positive");
        }
        if (IdleTimeout <= TimeSpan.Zero)
        {
            errors.Add("the origin idle timeout must be positive");
        }
        if (MaxIdleConnectionsPerOrigin < 0)
        {
            errors.Add("the idle connection count per origin cannot be negative");
        }
        if (Resolver is null || TimeProvider is null || Limits is null || ExtraTrustedCertificates is null)
        {
            errors.Add("the resolver, time provider, limits and trusted certificates must be set");
        }
        return errors;
    }
}
