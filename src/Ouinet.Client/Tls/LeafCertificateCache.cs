using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ouinet.Client.Tls;

/// <summary>
/// Leaf certificates for intercepted hosts, signed by the client CA: one per host, minted once even when many
/// connections ask at the same time, kept in a bounded least-recently-used cache (Ouinet keeps 1000), valid at most
/// 397 days (the browsers' limit), never backdated. All leaves share one key pair made at start.
/// </summary>
public sealed class LeafCertificateCache : IDisposable
{
    public const int DefaultCapacity = 1000;
    public static readonly TimeSpan LeafValidity = TimeSpan.FromDays(397);

    private readonly ClientCertificateAuthority _authority;
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly ECDsa _leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly Dictionary<string, LinkedListNode<(string Host, Lazy<SslStreamCertificateContext> Context)>> _byHost = new(StringComparer.OrdinalIgnoreCase);
    private readonly LinkedList<(string Host, Lazy<SslStreamCertificateContext> Context)> _recency = new();
    private readonly Lock _lock = new();

    public LeafCertificateCache(ClientCertificateAuthority authority, TimeProvider? time = null, int capacity = DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(authority);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _authority = authority;
        _time = time ?? TimeProvider.System;
        _capacity = capacity;
    }

    /// <summary>Certificates minted so far (for tests and the front-end).</summary>
    public int Minted { get; private set; }

    /// <summary>The TLS server context for <paramref name="host"/> (a DNS name or an IP literal): leaf plus the CA.</summary>
    public SslStreamCertificateContext Get(string host)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        Lazy<SslStreamCertificateContext> context;
        lock (_lock)
        {
            if (_byHost.TryGetValue(host, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                context = node.Value.Context;
            }
            else
            {
                context = new Lazy<SslStreamCertificateContext>(() => Mint(host), LazyThreadSafetyMode.ExecutionAndPublication);
                _byHost[host] = _recency.AddFirst((host, context));
                if (_byHost.Count > _capacity)
                {
                    var oldest = _recency.Last!;
                    _recency.RemoveLast();
                    _byHost.Remove(oldest.Value.Host);
                }
            }
        }
        return context.Value;
    }

    public void Dispose() => _leafKey.Dispose();

    private SslStreamCertificateContext Mint(string host)
    {
        var request = new CertificateRequest(new X500DistinguishedName($"CN={Sanitize(host)}"), _leafKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        if (IPAddress.TryParse(host.Trim('[', ']'), out var ip))
        {
            san.AddIpAddress(ip);
        }
        else
        {
            san.AddDnsName(host);
        }
        request.CertificateExtensions.Add(san.Build(critical: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_authority.Certificate, true, false));
        var now = _time.GetUtcNow();
        using var signed = _authority.Sign(request, now, now + LeafValidity);
        using var withKey = signed.CopyWithPrivateKey(_leafKey);
        // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform.
        var leaf = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        lock (_lock)
        {
            Minted++;
        }
        return SslStreamCertificateContext.Create(leaf, [_authority.Certificate], offline: true);
    }

    // X.500 names treat ',', '+', '=' etc. specially; host names never contain them, but a Host header could.
    private static string Sanitize(string host) => new([.. host.Where(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or ':' or '[' or ']' or '*')]);
}
