using System.Net;
using System.Text.Json;
using Ouinet.Testing.Origins;

namespace Ouinet.EndToEnd.Tests.Support;

/// <summary>A real <c>ouinet injector</c> process on a free loopback port, trusting the test CA, private targets allowed.</summary>
internal sealed class InjectorNode : IAsyncDisposable
{
    private readonly TempDirectory _repo;

    private InjectorNode(TempDirectory repo, OuinetProcess process, IPEndPoint tcp, string publicKey)
    {
        _repo = repo;
        Process = process;
        Tcp = tcp;
        PublicKey = publicKey;
    }

    public OuinetProcess Process { get; }

    public IPEndPoint Tcp { get; }

    /// <summary>The injector's Ed25519 public key in hex (<c>ed25519-public-key</c>).</summary>
    public string PublicKey { get; }

    public static async Task<InjectorNode> StartAsync(TestCertificateAuthority authority, CancellationToken cancellationToken)
    {
        var repo = new TempDirectory("e2e-injector");
        var ca = repo.Combine("test-ca.pem");
        await File.WriteAllTextAsync(ca, authority.CertificatePem, cancellationToken);
        var process = await OuinetProcess.StartAsync(repo.Combine("endpoint-tcp"), cancellationToken,
            "injector", "--repo", repo.Path, "--listen-on-tcp", "127.0.0.1:0", "--listen-on-tcp-tls", "127.0.0.1:0",
            "--allow-private-targets", "--tls-ca-cert-store-file", ca);
        var tcp = IPEndPoint.Parse((await File.ReadAllTextAsync(repo.Combine("endpoint-tcp"), cancellationToken)).Trim());
        var key = (await File.ReadAllTextAsync(repo.Combine("ed25519-public-key"), cancellationToken)).Trim();
        return new InjectorNode(repo, process, tcp, key);
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        _repo.Dispose();
    }
}

/// <summary>A real <c>ouinet client</c> process on a free loopback port, pointed at an injector.</summary>
internal sealed class ClientNode : IAsyncDisposable
{
    private ClientNode(TempDirectory repo, OuinetProcess process, IPEndPoint proxy)
    {
        Repo = repo;
        Process = process;
        Proxy = proxy;
    }

    public TempDirectory Repo { get; }

    public OuinetProcess Process { get; }

    public IPEndPoint Proxy { get; }

    public string CaCertificateFile => Repo.Combine("ssl-ca-cert.pem");

    public static async Task<ClientNode> StartAsync(InjectorNode injector, TestCertificateAuthority authority, CancellationToken cancellationToken, params string[] extra)
    {
        var repo = new TempDirectory("e2e-client");
        var ca = repo.Combine("test-ca.pem");
        await File.WriteAllTextAsync(ca, authority.CertificatePem, cancellationToken);
        var endpoints = repo.Combine("endpoints.json");
        var process = await OuinetProcess.StartAsync(endpoints, cancellationToken,
        [
            "client", "--repo", repo.Path, "--listen-on-tcp", "127.0.0.1:0",
            "--injector-ep", $"tcp:{injector.Tcp}", "--cache-http-public-key", injector.PublicKey,
            "--tls-ca-cert-store-file", ca, "--allow-private-targets", .. extra,
        ]);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(endpoints, cancellationToken));
        var proxy = IPEndPoint.Parse(json.RootElement.GetProperty("proxy_endpoint").GetString()!);
        return new ClientNode(repo, process, proxy);
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        Repo.Dispose();
    }
}
