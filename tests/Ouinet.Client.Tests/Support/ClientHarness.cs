using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Ouinet.Client.Tests.Support;

/// <summary>
/// An <see cref="OuinetClient"/> on 127.0.0.1:0 with a fresh repository, the test CA trusted for origins, the test
/// origin's HTTPS port intercepted as if it were 443, names from <see cref="MapResolver.ForClient"/>, and (when given)
/// an injector with its key. <see cref="CreateHttpClient"/> is a browser stand-in: proxied to the client, trusting only
/// the client's CA for HTTPS.
/// </summary>
internal sealed class ClientHarness : IAsyncDisposable
{
    private readonly TempDirectory? _ownRepo;
    private readonly List<HttpClient> _httpClients = [];

    private ClientHarness(OuinetClient client, TempDirectory? ownRepo)
    {
        Client = client;
        _ownRepo = ownRepo;
    }

    public OuinetClient Client { get; }

    public IPEndPoint Proxy => Client.ProxyEndPoint!;

    public static async Task<ClientHarness> StartAsync(OriginFixture fixture, TestInjector? injector, Func<ClientOptions, ClientOptions>? configure = null, string? repository = null)
    {
        var own = repository is null ? new TempDirectory("ouinet-client") : null;
        var options = new ClientOptions
        {
            Repository = repository ?? own!.Path,
            ListenOnTcp = new IPEndPoint(IPAddress.Loopback, 0),
            InjectorEndpoint = injector is null ? null : $"tcp:{injector.Tcp}",
            CacheHttpPublicKey = injector?.PublicKey.ToHex(),
            ExtraTrustedCertificates = [fixture.Authority.Certificate],
            TlsInterceptPorts = [443, fixture.Origin.HttpsEndPoint.Port],
            OriginResolver = MapResolver.ForClient,
            FrontEndEndPoint = null, // front-end tests ask for one on port 0
        };
        if (configure is not null)
        {
            options = configure(options);
        }
        var client = new OuinetClient(options);
        await client.StartAsync(TestContext.Current.CancellationToken);
        return new ClientHarness(client, own);
    }

    /// <summary>An HTTP client that sends everything through the proxy and trusts only the client's CA for HTTPS.</summary>
    public HttpClient CreateHttpClient(Func<SocketsHttpHandler, SocketsHttpHandler>? configure = null)
    {
        var ca = Client.CaCertificate;
        var handler = new SocketsHttpHandler
        {
            Proxy = new FixedProxy(new Uri($"http://{Proxy}")),
            UseProxy = true,
            AutomaticDecompression = DecompressionMethods.None,
            AllowAutoRedirect = false,
            UseCookies = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => ChainsTo(ca, certificate, errors),
            },
        };
        var http = new HttpClient(configure is null ? handler : configure(handler)) { Timeout = TimeSpan.FromSeconds(30) };
        _httpClients.Add(http);
        return http;
    }

    /// <summary>Whether <paramref name="certificate"/> chains to <paramref name="authority"/> alone (and matched the name).</summary>
    public static bool ChainsTo(X509Certificate2 authority, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var http in _httpClients)
        {
            http.Dispose();
        }
        await Client.DisposeAsync();
        _ownRepo?.Dispose();
    }

    /// <summary>A proxy that is never bypassed (WebProxy bypasses loopback targets).</summary>
    private sealed class FixedProxy(Uri proxy) : IWebProxy
    {
        public ICredentials? Credentials { get; set; }

        public Uri GetProxy(Uri destination) => proxy;

        public bool IsBypassed(Uri host) => false;
    }
}
