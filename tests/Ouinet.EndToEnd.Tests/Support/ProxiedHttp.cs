using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Ouinet.EndToEnd.Tests.Support;

/// <summary>An HTTP client that sends everything through a proxy and trusts only the given CA for HTTPS (a browser stand-in).</summary>
internal static class ProxiedHttp
{
    public static HttpClient Create(IPEndPoint proxy, string caFile)
    {
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(caFile));
        var handler = new SocketsHttpHandler
        {
            Proxy = new FixedProxy(new Uri($"http://{proxy}")),
            UseProxy = true,
            UseCookies = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                    {
                        return false;
                    }
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                    return chain.Build(leaf);
                },
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }

    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;

    /// <summary>A proxy that is never bypassed (WebProxy bypasses loopback targets).</summary>
    private sealed class FixedProxy(Uri proxy) : IWebProxy
    {
        public ICredentials? Credentials { get; set; }

        public Uri GetProxy(Uri destination) => proxy;

        public bool IsBypassed(Uri host) => false;
    }
}
