using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ouinet.Injector.Tls;

/// <summary>
/// The injector's self-signed TLS certificate, <c>tls-cert.pem</c> and <c>tls-key.pem</c> in its repository (Ouinet's
/// names). Clients pin a copy of <c>tls-cert.pem</c> (<c>injector-tls-cert-file</c>) as their only trust anchor and, as
/// in Ouinet, do not check the name; it still says <c>CN=localhost</c> with SANs localhost, 127.0.0.1 and ::1.
/// ECDSA P-256, serverAuth only, random serial, valid from now (not backdated) for ten years: a pinned certificate
/// that expires cuts off every client that pinned it, so it lives long and is replaced by hand.
/// </summary>
public static class InjectorTlsCertificate
{
    public const string CertificateFileName = "tls-cert.pem";
    public const string KeyFileName = "tls-key.pem";

    /// <summary>Validity of a new certificate.</summary>
    public static TimeSpan Validity { get; } = TimeSpan.FromDays(3650);

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Loads the pair from <paramref name="repository"/>, creating both when the certificate is missing.</summary>
    public static X509Certificate2 LoadOrCreate(string repository, TimeProvider? timeProvider = null)
    {
        var certPath = Path.Combine(repository, CertificateFileName);
        var keyPath = Path.Combine(repository, KeyFileName);
        if (!File.Exists(certPath))
        {
            using var created = Create(timeProvider ?? TimeProvider.System);
            Write(created, certPath, keyPath);
        }
        return Load(certPath, keyPath);
    }

    /// <summary>Loads a PEM certificate and its PEM private key.</summary>
    public static X509Certificate2 Load(string certificatePath, string keyPath)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        // An exportable PKCS#12 round trip gives a certificate whose key SslStream can use on every platform.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>A new self-signed server certificate for <c>localhost</c>.</summary>
    public static X509Certificate2 Create(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;  // positive
        var now = timeProvider.GetUtcNow();
        return request.Create(request.SubjectName, X509SignatureGenerator.CreateForECDsa(key), now, now + Validity, serial)
            .CopyWithPrivateKey(key);
    }

    /// <summary>Writes the certificate (readable by all) and its key (owner-only from creation).</summary>
    public static void Write(X509Certificate2 certificate, string certificatePath, string keyPath)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var key = certificate.GetECDsaPrivateKey() ?? throw new ArgumentException("Not an ECDSA certificate with its key.", nameof(certificate));
        WriteFile(keyPath, key.ExportPkcs8PrivateKeyPem(), OwnerOnly);
        WriteFile(certificatePath, certificate.ExportCertificatePem() + "\n", null);
    }

    private static void WriteFile(string path, string text, UnixFileMode? mode)
    {
        var temporary = path + $".{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (mode is { } unixMode && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = unixMode;
        }
        try
        {
            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(text);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
