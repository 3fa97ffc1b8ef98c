using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Ouinet.Cache.Storage;

namespace Ouinet.Client.Tls;

/// <summary>
/// The client's own certificate authority for TLS interception: generated once per repository
/// (<c>ssl-ca-cert.pem</c>, and <c>ssl-ca-key.pem</c> readable by the owner only) so the user installs it in the browser
/// once. It signs short-lived leaf certificates for the hosts the browser CONNECTs to (see <see cref="LeafCertificateCache"/>).
/// </summary>
public sealed class ClientCertificateAuthority : IDisposable
{
    public const string CertificateFileName = "ssl-ca-cert.pem";
    public const string KeyFileName = "ssl-ca-key.pem";

    /// <summary>The name Ouinet C++ gives its CA, so users recognise it in their browser's list.</summary>
    public const string SubjectName = "CN=Your own local Ouinet client";

    private static readonly TimeSpan CaValidity = TimeSpan.FromDays(3650);

    private readonly ECDsa _key;

    private ClientCertificateAuthority(X509Certificate2 certificate, ECDsa key)
    {
        Certificate = certificate;
        _key = key;
    }

    /// <summary>The CA certificate (public part), as served to users at <c>/ca.pem</c>.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The CA certificate in PEM, for download.</summary>
    public string CertificatePem => Certificate.ExportCertificatePem();

    /// <summary>
    /// Loads the CA from <paramref name="repository"/>, or creates it when neither file exists. A half-present or
    /// unreadable pair is an error: silently replacing a CA the user already trusts would break their browser.
    /// </summary>
    public static ClientCertificateAuthority LoadOrCreate(string repository, TimeProvider? time = null)
    {
        var certPath = Path.Combine(repository, CertificateFileName);
        var keyPath = Path.Combine(repository, KeyFileName);
        var hasCert = File.Exists(certPath);
        var hasKey = File.Exists(keyPath);
        if (hasCert != hasKey)
        {
            throw new InvalidDataException($"Only one of {certPath} and {keyPath} exists; restore the other or remove both to create a new CA.");
        }
        if (hasCert)
        {
            var key = ECDsa.Create();
            try
            {
                key.ImportFromPem(File.ReadAllText(keyPath));
                var cert = X509Certificate2.CreateFromPem(File.ReadAllText(certPath));
                using var publicKey = cert.GetECDsaPublicKey() ?? throw new InvalidDataException($"{certPath} is not an ECDSA certificate.");
                if (!publicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
                {
                    throw new InvalidDataException($"{keyPath} is not the key of {certPath}.");
                }
                return new ClientCertificateAuthority(cert, key);
            }
            catch (CryptographicException e)
            {
                key.Dispose();
                throw new InvalidDataException($"Cannot read the client CA in {repository}: {e.Message}", e);
            }
        }
        return Create(repository, time ?? TimeProvider.System);
    }

    /// <summary>Signs a certificate request for a leaf with this CA.</summary>
    internal X509Certificate2 Sign(CertificateRequest request, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7f; // positive
        var end = notAfter < Certificate.NotAfter ? notAfter : new DateTimeOffset(Certificate.NotAfter.ToUniversalTime());
        return request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_key), notBefore, end, serial);
    }

    public void Dispose()
    {
        _key.Dispose();
        Certificate.Dispose();
    }

    private static ClientCertificateAuthority Create(string repository, TimeProvider time)
    {
        Directory.CreateDirectory(repository);
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(SubjectName, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = time.GetUtcNow();
        using var selfSigned = request.CreateSelfSigned(now, now + CaValidity);
        var certificate = X509CertificateLoader.LoadCertificate(selfSigned.Export(X509ContentType.Cert));
        AtomicFile.WriteText(Path.Combine(repository, KeyFileName), key.ExportPkcs8PrivateKeyPem() + "\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(Path.Combine(repository, CertificateFileName), certificate.ExportCertificatePem() + "\n");
        return new ClientCertificateAuthority(certificate, key);
    }
}
