using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Ouinet.Http;
using Ouinet.Injector.Origin;
using Ouinet.Protocol;
using Ouinet.Protocol.Headers;
using Ouinet.Protocol.Keys;

namespace Ouinet.Injector;

/// <summary>Everything an <see cref="InjectorServer"/> needs. Validated at start with every error reported.</summary>
public sealed record InjectorOptions
{
    /// <summary>The HTTP signing key (<c>ed25519-private-key</c>). The server does not dispose it.</summary>
    public required InjectorPrivateKey SigningKey { get; init; }

    /// <summary>Cleartext HTTP endpoints (<c>listen-on-tcp</c>); port 0 picks a free port.</summary>
    public IReadOnlyList<IPEndPoint> TcpEndpoints { get; init; } = [];

    /// <summary>HTTP over TLS endpoints (<c>listen-on-tcp-tls</c>); need <see cref="TlsCertificate"/>.</summary>
    public IReadOnlyList<IPEndPoint> TlsEndpoints { get; init; } = [];

    /// <summary>
    /// Listeners of other transports that hand over byte streams (an overlay name, <c>listen-on-overlay</c>); their
    /// connections get the same handling as TCP ones, inside TLS when the listener asks for it.
    /// </summary>
    public IReadOnlyList<IInjectorStreamListener> StreamListeners { get; init; } = [];

    /// <summary>Certificate with private key for the TLS endpoints (<c>tls-cert.pem</c>/<c>tls-key.pem</c>).</summary>
    public X509Certificate2? TlsCertificate { get; init; }

    /// <summary><c>user:password</c> every request must carry as <c>Proxy-Authorization: Basic</c>; null: open proxy.</summary>
    public string? Credentials { get; init; }

    /// <summary>A regular expression the whole canonical target URL must match to be injected; implies <see cref="DisableProxy"/>.</summary>
    public string? Restricted { get; init; }

    /// <summary>Refuse plain proxy requests and CONNECT (403, <c>4 Proxy support disabled</c>).</summary>
    public bool DisableProxy { get; init; }

    /// <summary>Let clients reach loopback, private and link-local targets (see <see cref="TargetAddressPolicy"/>).</summary>
    public bool AllowPrivateTargets { get; init; }

    /// <summary>Certificate authorities trusted for origin TLS besides the system store (<c>tls-ca-cert-store-file</c>).</summary>
    public IReadOnlyList<X509Certificate2> ExtraTrustedCertificates { get; init; } = [];

    /// <summary>The protocol version spoken; requests with another <c>X-Ouinet-Version</c> are refused.</summary>
    public ProtocolVersion Version { get; init; } = ProtocolVersion.Current;

    /// <summary>Signed block size; Ouinet uses 65536 (tests use small ones to match vectors).</summary>
    public int BlockSize { get; init; } = BlockSignaturesHeader.DefaultBlockSize;

    /// <summary>The first request on a connection (and a TLS handshake) must arrive within this (Ouinet C++: 5 s).</summary>
    public TimeSpan FirstRequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Later requests on a kept-alive connection must arrive within this (Ouinet C++: 55 s).</summary>
    public TimeSpan NextRequestTimeout { get; init; } = TimeSpan.FromSeconds(55);

    /// <summary>Longest silence in a transfer, either side (Ouinet C++'s per-activity timeout, 3 min).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Resolving plus connecting plus the TLS handshake to an origin.</summary>
    public TimeSpan OriginConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Bounds on client request heads and bodies' framing.</summary>
    public HttpLimits Limits { get; init; } = HttpLimits.Default;

    /// <summary>Log request targets (URLs) at Debug. Off by default: they are the users' browsing.</summary>
    public bool LogTargets { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public IInjectionIdSource InjectionIds { get; init; } = RandomInjectionIds.Instance;

    /// <summary>Replaces DNS for origins (tests point names at local servers).</summary>
    public IOriginResolver OriginResolver { get; init; } = SystemOriginResolver.Instance;

    /// <summary>Every invalid setting, described; empty when the options are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (SigningKey is null)
        {
            errors.Add("no signing key");
        }
        if ((TcpEndpoints?.Count ?? 0) + (TlsEndpoints?.Count ?? 0) + (StreamListeners?.Count ?? 0) == 0)
        {
            errors.Add("no endpoint to listen on (listen-on-tcp, listen-on-tcp-tls or listen-on-overlay)");
        }
        if ((TlsEndpoints is { Count: > 0 } || StreamListeners?.Any(l => l.Tls) == true) && TlsCertificate is null)
        {
            errors.Add("listen-on-tcp-tls needs a TLS certificate");
        }
        if (TlsCertificate is { HasPrivateKey: false })
        {
            errors.Add("the TLS certificate has no private key");
        }
        if (Credentials is not null && !ProxyCredentials.TryParse(Credentials, out _))
        {
            errors.Add("credentials must be user:password (with a colon, and no control characters)");
        }
        if (Restricted is not null)
        {
            try
            {
                _ = new Regex(Restricted, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                errors.Add($"restricted is not a valid regular expression: {e.Message}");
            }
        }
        if (BlockSize is < 1 or > BlockSignaturesHeader.MaxBlockSize)
        {
            errors.Add($"the block size must be within 1..{BlockSignaturesHeader.MaxBlockSize}");
        }
        foreach (var (name, value) in new[]
        {
            ("first request timeout", FirstRequestTimeout), ("next request timeout", NextRequestTimeout),
            ("idle timeout", IdleTimeout), ("origin connect timeout", OriginConnectTimeout),
        })
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"the {name} must be positive");
            }
        }
        if (Limits is null || TimeProvider is null || InjectionIds is null || OriginResolver is null || ExtraTrustedCertificates is null)
        {
            errors.Add("limits, time provider, injection ids, origin resolver and trusted certificates must be set");
        }
        return errors;
    }

    /// <summary>Plain proxying and CONNECT are refused (<see cref="DisableProxy"/>, or implied by <see cref="Restricted"/>).</summary>
    public bool IsProxyDisabled => DisableProxy || Restricted is not null;

    internal OriginClientOptions ToOriginOptions() => new()
    {
        ConnectTimeout = OriginConnectTimeout,
        IdleTimeout = IdleTimeout,
        AllowPrivateTargets = AllowPrivateTargets,
        ExtraTrustedCertificates = ExtraTrustedCertificates,
        Limits = Limits with { MaxBodyBytes = null },
        Resolver = OriginResolver,
        TimeProvider = TimeProvider,
    };
}
