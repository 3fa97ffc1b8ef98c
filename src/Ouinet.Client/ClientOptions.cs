using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Ouinet.Cache.Policy;
using Ouinet.Http;
using Ouinet.Injector.Origin;
using Ouinet.Protocol.Keys;

namespace Ouinet.Client;

/// <summary>
/// Everything an <see cref="OuinetClient"/> needs, with Ouinet's option names in the comments (<c>ouinet client --help</c>
/// maps one to one). <see cref="Validate"/> reports every problem at once, each naming its option.
/// </summary>
public sealed partial record ClientOptions
{
    /// <summary>Ouinet's default proxy endpoint.</summary>
    public static readonly IPEndPoint DefaultProxyEndPoint = new(IPAddress.Loopback, 8077);

    /// <summary>Ouinet's default front-end endpoint.</summary>
    public static readonly IPEndPoint DefaultFrontEndEndPoint = new(IPAddress.Loopback, 8078);

    /// <summary><c>--repo</c>: holds the config, the CA (<c>ssl-ca-cert.pem</c>, <c>ssl-ca-key.pem</c>) and the cache (<c>data-v3</c>, <c>dht_groups</c>). Created when missing.</summary>
    public required string Repository { get; init; }

    /// <summary><c>listen-on-tcp</c>: the HTTP proxy endpoint; port 0 picks a free one.</summary>
    public IPEndPoint ListenOnTcp { get; init; } = DefaultProxyEndPoint;

    /// <summary><c>injector-ep</c>: <c>tcp:IP:PORT</c> (TLS when <see cref="InjectorTlsCertificateFile"/> is set). Null: no injector.</summary>
    public string? InjectorEndpoint { get; init; }

    /// <summary><c>injector-credentials</c>: <c>user:password</c> sent as <c>Proxy-Authorization: Basic</c>.</summary>
    public string? InjectorCredentials { get; init; }

    /// <summary><c>injector-tls-cert-file</c>: the injector's certificate (PEM), pinned as the only one accepted; enables TLS.</summary>
    public string? InjectorTlsCertificateFile { get; init; }

    /// <summary><c>cache-http-public-key</c>: the injector's Ed25519 key, 64 hex or 52 base32 characters.</summary>
    public string? CacheHttpPublicKey
    {
        get => _cacheHttpPublicKey;
        init
        {
            _cacheHttpPublicKey = value;
            _publicKey = InjectorPublicKey.TryParse(value, out var key, out _) ? key : null;
        }
    }

    private readonly string? _cacheHttpPublicKey;
    private readonly InjectorPublicKey? _publicKey;

    /// <summary><c>cache-type</c>: <c>bep5-http</c> starts the distributed cache (DHT, uTP peer server, announcements, fetching from peers); nothing else.</summary>
    public IReadOnlyList<string> CacheTypes { get; init; } = [];

    /// <summary><c>cache-static-root</c>: content folder of a read-only static cache (must exist).</summary>
    public string? CacheStaticRoot { get; init; }

    /// <summary><c>cache-static-repo</c>: the static cache's entries; default <c>&lt;cache-static-root&gt;/.ouinet</c>.</summary>
    public string? CacheStaticRepo { get; init; }

    /// <summary><c>max-cached-age</c>: entries injected longer ago are not served (default 7 days); null keeps them forever (<c>-1</c>).</summary>
    public TimeSpan? MaxCachedAge { get; init; } = Freshness.DefaultMaxCachedAge;

    /// <summary><c>cache-private</c>: store responses marked private even when the request looked personal (not <c>X-Ouinet-Private</c> ones).</summary>
    public bool CachePrivate { get; init; }

    /// <summary><c>disable-origin-access</c>.</summary>
    public bool DisableOriginAccess { get; init; }

    /// <summary><c>disable-proxy-access</c>: the injector as a plain proxy.</summary>
    public bool DisableProxyAccess { get; init; }

    /// <summary><c>disable-injector-access</c>: injection (signed, cached).</summary>
    public bool DisableInjectorAccess { get; init; }

    /// <summary>
    /// <c>disable-cache-access</c> (ours, persistent): do not use the distributed cache (the name Ouinet's Android wrapper
    /// and example config use for it). The front-end's "Distributed cache" switch.
    /// </summary>
    public bool DisableDistributedCache { get; init; }

    /// <summary><c>front-end-ep</c>: the front-end (status page and JSON API); port 0 picks a free one; null: no front-end.</summary>
    public IPEndPoint? FrontEndEndPoint { get; init; } = DefaultFrontEndEndPoint;

    /// <summary><c>frontend-credentials</c>: <c>user:password</c> the front-end asks for (HTTP Basic) when set.</summary>
    public string? FrontEndCredentials { get; init; }

    /// <summary><c>log-level</c>: the client's log level at start; the front-end changes it at run time.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary><c>enable-log-file</c>: also write the log (at Debug and above) to <c>&lt;repo&gt;/log.txt</c>, served at <c>/logfile.txt</c>.</summary>
    public bool EnableLogFile { get; init; }

    /// <summary><c>local-domain</c>: hosts under this top-level domain go to the origin only and are never cached.</summary>
    public string LocalDomain { get; init; } = "local";

    /// <summary><c>allow-private-targets</c>: let loopback, private and <see cref="LocalDomain"/> targets use the injector and the cache too.</summary>
    public bool AllowPrivateTargets { get; init; }

    /// <summary><c>tls-ca-cert-store-file</c>/<c>-dir</c>: authorities trusted for origin TLS besides the system store.</summary>
    public IReadOnlyList<X509Certificate2> ExtraTrustedCertificates { get; init; } = [];

    /// <summary>
    /// <c>tls-intercept-port</c> (ours): CONNECT ports whose TLS the client terminates with its CA so the request router
    /// sees the requests. Default 443; any other port is tunnelled. Tests add their HTTPS origin's port.
    /// </summary>
    public IReadOnlyList<int> TlsInterceptPorts { get; init; } = [443];

    /// <summary><c>request-body-limit</c>: request bodies are held in memory (so a failed mechanism can be retried) up to this (C++: 100 MiB).</summary>
    public long RequestBodyLimit { get; init; } = 100L * 1024 * 1024;

    /// <summary>How long the origin alone gets before the next mechanism is started in parallel (Ouinet: 3 s).</summary>
    public TimeSpan OriginRaceDelay { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Resolving plus connecting plus TLS, to an origin or to the injector.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest silence while waiting for a response head or during a transfer (Ouinet's per-activity timeout, 3 min).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>An idle browser connection is closed after this (Ouinet C++ servers: 55 s).</summary>
    public TimeSpan BrowserKeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(55);

    /// <summary>Bounds on request and response heads.</summary>
    public HttpLimits Limits { get; init; } = HttpLimits.Default;

    /// <summary>Log request URLs at Debug (off by default: they are the user's browsing).</summary>
    public bool LogTargets { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Replaces DNS for origins (tests point names at local servers).</summary>
    public IOriginResolver OriginResolver { get; init; } = SystemOriginResolver.Instance;

    /// <summary>The parsed <see cref="CacheHttpPublicKey"/>; null when unset or invalid (see <see cref="Validate"/>).</summary>
    // Parsed when set: the router asks for it on every request.
    public InjectorPublicKey? PublicKey => _publicKey;

    /// <summary>How <c>injector-ep overlay:NAME</c> is reached: the host's overlay node (the CLI's <c>overlay-config</c>).</summary>
    public OverlayDialer? OverlayDialer { get; init; }

    /// <summary>The parsed <see cref="InjectorEndpoint"/>; null when unset or invalid.</summary>
    public InjectorEndpoint? Injector => InjectorEndpoint is { } text && Client.InjectorEndpoint.TryParse(text, out var ep, out _) ? ep : null;

    /// <summary>The static cache's entry folder, when a static cache is configured.</summary>
    public string? StaticRepository => CacheStaticRoot is null ? null : CacheStaticRepo ?? Path.Combine(CacheStaticRoot, ".ouinet");

    /// <summary>Every invalid setting or combination, each naming its option; empty when the client can start.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Repository))
        {
            errors.Add("repo: a repository folder is required");
        }
        if (ListenOnTcp is null)
        {
            errors.Add("listen-on-tcp: an IP:PORT endpoint is required");
        }
        InjectorEndpoint? injector = null;
        if (InjectorEndpoint is { } text && !Client.InjectorEndpoint.TryParse(text, out injector, out var endpointError))
        {
            errors.Add($"injector-ep \"{text}\": {endpointError}");
        }
        if (injector?.Transport == InjectorTransport.Overlay && OverlayDialer is null)
        {
            errors.Add($"injector-ep \"{injector}\": needs an overlay node to reach it (overlay-config)");
        }
        if (InjectorCredentials is { } credentials && !credentials.Contains(':', StringComparison.Ordinal))
        {
            errors.Add("injector-credentials: must be user:password");
        }
        if (FrontEndCredentials is { } frontEndCredentials && !frontEndCredentials.Contains(':', StringComparison.Ordinal))
        {
            errors.Add("frontend-credentials: must be user:password");
        }
        if (LogLevel is LogLevel.None)
        {
            errors.Add("log-level: must be a level, not None");
        }
        if (InjectorCredentials is not null && InjectorEndpoint is null)
        {
            errors.Add("injector-credentials: needs an injector endpoint (injector-ep)");
        }
        if (InjectorTlsCertificateFile is { } certFile)
        {
            if (InjectorEndpoint is null && !UsesDistributedCache)
            {
                errors.Add("injector-tls-cert-file: needs an injector endpoint (injector-ep) or cache-type bep5-http (the injector found in the DHT)");
            }
            if (!File.Exists(certFile))
            {
                errors.Add($"injector-tls-cert-file: no file {certFile}");
            }
            else
            {
                try
                {
                    using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(certFile));
                }
                catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
                {
                    errors.Add($"injector-tls-cert-file: {certFile} is not a PEM certificate ({e.Message})");
                }
            }
        }
        if (CacheHttpPublicKey is { } keyText && !InjectorPublicKey.TryParse(keyText, out _, out var keyError))
        {
            errors.Add($"cache-http-public-key: {InjectorPublicKey.Describe(keyError, keyText)}");
        }
        foreach (var type in CacheTypes)
        {
            if (type != "bep5-http")
            {
                errors.Add($"cache-type \"{type}\": not supported (only bep5-http)");
            }
            else if (CacheHttpPublicKey is null)
            {
                errors.Add("cache-type bep5-http: needs cache-http-public-key");
            }
        }
        if (injector is not null && !DisableInjectorAccess && CacheHttpPublicKey is null)
        {
            errors.Add("cache-http-public-key: required to use the injector (every injected response is verified with it); set it, or disable-injector-access");
        }
        if (CacheStaticRepo is not null && CacheStaticRoot is null)
        {
            errors.Add("cache-static-repo: needs cache-static-root");
        }
        if (CacheStaticRoot is { } root)
        {
            if (!Directory.Exists(root))
            {
                errors.Add($"cache-static-root: no folder {root}");
            }
            else if (!Directory.Exists(StaticRepository))
            {
                errors.Add($"cache-static-repo: no folder {StaticRepository}");
            }
            if (CacheHttpPublicKey is null)
            {
                errors.Add("cache-static-root: needs cache-http-public-key (static entries are verified with it)");
            }
        }
        if (MaxCachedAge is { } age && age < TimeSpan.Zero)
        {
            errors.Add("max-cached-age: must be a number of seconds, 0 (keep nothing) or -1 (keep forever)");
        }
        if (!LocalDomainPattern().IsMatch(LocalDomain ?? ""))
        {
            errors.Add($"local-domain \"{LocalDomain}\": must be a top-level domain name ([-0-9a-zA-Z]+)");
        }
        if (TlsInterceptPorts is null || TlsInterceptPorts.Any(p => p is < 1 or > 65535))
        {
            errors.Add("tls-intercept-port: ports must be from 1 to 65535");
        }
        if (RequestBodyLimit < 0)
        {
            errors.Add("request-body-limit: cannot be negative");
        }
        if (ConnectTimeout <= TimeSpan.Zero || IdleTimeout <= TimeSpan.Zero || BrowserKeepAliveTimeout <= TimeSpan.Zero || OriginRaceDelay < TimeSpan.Zero)
        {
            errors.Add("timeouts must be positive");
        }
        ValidateDistributedCache(errors);
        if (TimeProvider is null || OriginResolver is null || Limits is null || ExtraTrustedCertificates is null || CacheTypes is null)
        {
            errors.Add("the time provider, resolver, limits, certificate and cache type lists must be set");
        }
        return errors;
    }

    [GeneratedRegex("^[-0-9a-zA-Z]+$")]
    private static partial Regex LocalDomainPattern();
}

/// <summary>Options that cannot start a client, every problem listed.</summary>
public sealed class ClientOptionsException : Exception
{
    public ClientOptionsException(IReadOnlyList<string> errors)
        : base("Invalid client options: " + string.Join("; ", errors)) => Errors = errors;

    public ClientOptionsException()
        : this([])
    {
    }

    public ClientOptionsException(string message)
        : base(message) => Errors = [message];

    public ClientOptionsException(string message, Exception innerException)
        : base(message, innerException) => Errors = [message];

    public IReadOnlyList<string> Errors { get; }
}
