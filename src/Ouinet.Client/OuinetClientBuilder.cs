using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Ouinet.Client;

/// <summary>
/// Builds a client in the style of Ouinet's Android <c>Config.Builder</c>: each method sets one option (Ouinet's name
/// in its comment), <see cref="Build"/> validates them all and throws <see cref="ClientOptionsException"/> naming every
/// problem.
/// <code>
/// await using var client = new OuinetClientBuilder()
///     .WithRepository("/path/to/client-repo")
///     .WithInjector("tcp:127.0.0.1:7070", "user:password", "/path/to/injector/tls-cert.pem")
///     .WithCachePublicKey("00112233…")
///     .Build();
/// var proxy = await client.StartAsync();   // 127.0.0.1:8077 by default
/// </code>
/// </summary>
public sealed class OuinetClientBuilder
{
    private ClientOptions _options = new() { Repository = "" };
    private ILoggerFactory? _loggerFactory;

    /// <summary><c>--repo</c>.</summary>
    public OuinetClientBuilder WithRepository(string directory)
    {
        _options = _options with { Repository = directory };
        return this;
    }

    /// <summary><c>listen-on-tcp</c>; port 0 picks a free one.</summary>
    public OuinetClientBuilder ListenOn(IPEndPoint endpoint)
    {
        _options = _options with { ListenOnTcp = endpoint };
        return this;
    }

    /// <summary><c>injector-ep</c>, <c>injector-credentials</c>, <c>injector-tls-cert-file</c>.</summary>
    public OuinetClientBuilder WithInjector(string endpoint, string? credentials = null, string? tlsCertificateFile = null)
    {
        _options = _options with { InjectorEndpoint = endpoint, InjectorCredentials = credentials, InjectorTlsCertificateFile = tlsCertificateFile };
        return this;
    }

    /// <summary><c>cache-http-public-key</c>: 64 hex or 52 base32 characters.</summary>
    public OuinetClientBuilder WithCachePublicKey(string key)
    {
        _options = _options with { CacheHttpPublicKey = key };
        return this;
    }

    /// <summary><c>cache-static-root</c> (and <c>cache-static-repo</c> when not the default <c>&lt;root&gt;/.ouinet</c>).</summary>
    public OuinetClientBuilder WithStaticCache(string root, string? repository = null)
    {
        _options = _options with { CacheStaticRoot = root, CacheStaticRepo = repository };
        return this;
    }

    /// <summary><c>max-cached-age</c>; null keeps entries forever.</summary>
    public OuinetClientBuilder WithMaxCachedAge(TimeSpan? age)
    {
        _options = _options with { MaxCachedAge = age };
        return this;
    }

    /// <summary><c>disable-origin-access</c>.</summary>
    public OuinetClientBuilder DisableOrigin()
    {
        _options = _options with { DisableOriginAccess = true };
        return this;
    }

    /// <summary><c>disable-proxy-access</c>.</summary>
    public OuinetClientBuilder DisableProxy()
    {
        _options = _options with { DisableProxyAccess = true };
        return this;
    }

    /// <summary><c>disable-injector-access</c>.</summary>
    public OuinetClientBuilder DisableInjector()
    {
        _options = _options with { DisableInjectorAccess = true };
        return this;
    }

    /// <summary><c>front-end-ep</c>: where the front-end listens (port 0 picks one); <see cref="WithoutFrontEnd"/> turns it off.</summary>
    public OuinetClientBuilder WithFrontEnd(IPEndPoint endPoint, string? credentials = null)
    {
        _options = _options with { FrontEndEndPoint = endPoint, FrontEndCredentials = credentials };
        return this;
    }

    /// <summary>No front-end (the embedding app shows its own).</summary>
    public OuinetClientBuilder WithoutFrontEnd()
    {
        _options = _options with { FrontEndEndPoint = null };
        return this;
    }

    /// <summary><c>allow-private-targets</c>.</summary>
    public OuinetClientBuilder AllowPrivateTargets()
    {
        _options = _options with { AllowPrivateTargets = true };
        return this;
    }

    /// <summary><c>local-domain</c>.</summary>
    public OuinetClientBuilder WithLocalDomain(string domain)
    {
        _options = _options with { LocalDomain = domain };
        return this;
    }

    /// <summary><c>tls-ca-cert-store-file</c>: an extra authority for origin TLS.</summary>
    public OuinetClientBuilder TrustOriginAuthority(X509Certificate2 certificate)
    {
        _options = _options with { ExtraTrustedCertificates = [.. _options.ExtraTrustedCertificates, certificate] };
        return this;
    }

    /// <summary><c>tls-intercept-port</c>: also intercept TLS on this CONNECT port (443 always is).</summary>
    public OuinetClientBuilder InterceptTlsOnPort(int port)
    {
        _options = _options with { TlsInterceptPorts = [.. _options.TlsInterceptPorts, port] };
        return this;
    }

    /// <summary>Any other setting, on the options record.</summary>
    public OuinetClientBuilder Configure(Func<ClientOptions, ClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _options = configure(_options);
        return this;
    }

    public OuinetClientBuilder WithLogging(ILoggerFactory loggerFactory)
    {
        _loggerFactory = loggerFactory;
        return this;
    }

    /// <summary>The options as set so far.</summary>
    public ClientOptions Options => _options;

    /// <summary>A client with these options (not started); throws <see cref="ClientOptionsException"/> when they cannot work.</summary>
    public OuinetClient Build()
    {
        var errors = _options.Validate();
        if (errors.Count > 0)
        {
            throw new ClientOptionsException(errors);
        }
        return new OuinetClient(_options, _loggerFactory);
    }
}
