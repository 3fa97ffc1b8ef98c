using System.Net;
using System.Security.Cryptography.X509Certificates;
using Ouinet.Injector.Tls;
using Ouinet.Protocol.Keys;

namespace Ouinet.Injector;

/// <summary>
/// The injector's repository folder: <c>ed25519-private-key</c>/<c>ed25519-public-key</c>, <c>tls-cert.pem</c>/
/// <c>tls-key.pem</c> (created when missing), and the state files <c>endpoint-tcp</c>/<c>endpoint-tcp-tls</c> holding the
/// endpoint actually bound (<c>127.0.0.1:7070</c>, <c>[::1]:7070</c>) so scripts can find a port-0 injector.
/// </summary>
public sealed class InjectorRepository(string path)
{
    public const string ConfigFileName = "ouinet-injector.conf";
    public const string TcpEndpointFileName = "endpoint-tcp";
    public const string TlsEndpointFileName = "endpoint-tcp-tls";

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public string ConfigFile => System.IO.Path.Combine(Path, ConfigFileName);

    /// <summary>Loads the signing key, generating it (0600) on first start.</summary>
    public InjectorPrivateKey LoadOrCreateSigningKey() => InjectorKeyFiles.LoadOrCreate(Path);

    /// <summary>Loads the TLS certificate and key, generating them on first start.</summary>
    public X509Certificate2 LoadOrCreateTlsCertificate(TimeProvider? timeProvider = null) =>
        InjectorTlsCertificate.LoadOrCreate(Path, timeProvider);

    /// <summary>Removes endpoint files left by an earlier run (so a script never reads a stale port).</summary>
    public void ClearEndpointFiles()
    {
        File.Delete(System.IO.Path.Combine(Path, TcpEndpointFileName));
        File.Delete(System.IO.Path.Combine(Path, TlsEndpointFileName));
    }

    /// <summary>Writes the first bound endpoint of each kind (no newline, as Ouinet's state files).</summary>
    public void WriteEndpointFiles(IReadOnlyList<InjectorEndpoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        foreach (var (kind, name) in new[] { (InjectorEndpointKind.Tcp, TcpEndpointFileName), (InjectorEndpointKind.TcpTls, TlsEndpointFileName) })
        {
            if (endpoints.FirstOrDefault(e => e.Kind == kind) is { } endpoint)
            {
                File.WriteAllText(System.IO.Path.Combine(Path, name), endpoint.EndPoint.ToString());
            }
        }
    }

    /// <summary>Reads an endpoint state file; null when absent.</summary>
    public IPEndPoint? ReadEndpointFile(InjectorEndpointKind kind)
    {
        var file = System.IO.Path.Combine(Path, kind == InjectorEndpointKind.Tcp ? TcpEndpointFileName : TlsEndpointFileName);
        return File.Exists(file) && IPEndPoint.TryParse(File.ReadAllText(file).Trim(), out var endpoint) ? endpoint : null;
    }
}
