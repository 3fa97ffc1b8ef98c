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

    /// <summary>What clients get as <c>injector-ep</c> (default <c>tcp:</c> <see cref="Tcp"/>), and the extra client options that go with it.</summary>
    public string ClientEndpoint { get; set; } = "";

    public string[] ClientExtra { get; set; } = [];

    public string Repo => _repo.Path;

    public static async Task<InjectorNode> StartAsync(TestCertificateAuthority authority, CancellationToken cancellationToken, params string[] extra)
    {
        var repo = new TempDirectory("e2e-injector");
        var ca = repo.Combine("test-ca.pem");
        await File.WriteAllTextAsync(ca, authority.CertificatePem, cancellationToken);
        var process = await OuinetProcess.StartAsync(repo.Combine("endpoint-tcp"), cancellationToken,
        [
            "injector", "--repo", repo.Path, "--listen-on-tcp", "127.0.0.1:0", "--listen-on-tcp-tls", "127.0.0.1:0",
            "--allow-private-targets", "--tls-ca-cert-store-file", ca, .. extra,
        ]);
        // The file may be seen before its text is written: read until it parses.
        IPEndPoint? tcp;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!IPEndPoint.TryParse((await File.ReadAllTextAsync(repo.Combine("endpoint-tcp"), cancellationToken)).Trim(), out tcp) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, cancellationToken);
        }
        if (tcp is null)
        {
            throw new InvalidOperationException("The injector's endpoint-tcp file never held an endpoint.");
        }
        var key = (await File.ReadAllTextAsync(repo.Combine("ed25519-public-key"), cancellationToken)).Trim();
        return new InjectorNode(repo, process, tcp, key) { ClientEndpoint = $"tcp:{tcp}" };
    }

    /// <summary>The injector's uTP+TLS endpoint (<c>listen-on-utp-tls</c>), when started by <see cref="StartOverUtpAsync"/>.</summary>
    public IPEndPoint? Utp { get; private set; }

    /// <summary>
    /// An injector listening on uTP+TLS with a DHT node bootstrapped from <paramref name="dhtBootstrap"/> (so it announces
    /// itself in its injectors swarm); clients get <c>utp:</c><see cref="Utp"/> and its certificate pinned.
    /// </summary>
    public static async Task<InjectorNode> StartOverUtpAsync(TestCertificateAuthority authority, IPEndPoint dhtBootstrap, CancellationToken cancellationToken)
    {
        var injector = await StartAsync(authority, cancellationToken,
            "--listen-on-utp-tls", "127.0.0.1:0", "--bt-bootstrap-extra", dhtBootstrap.ToString(), "--bt-bootstrap-no-default", "--bt-allow-martians");
        var file = Path.Combine(injector.Repo, "endpoint-utp-tls");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        IPEndPoint? utp = null;
        // As for endpoint-tcp: the file may be seen before its text is written.
        while ((!File.Exists(file) || !IPEndPoint.TryParse((await File.ReadAllTextAsync(file, cancellationToken)).Trim(), out utp)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, cancellationToken);
        }
        if (utp is null)
        {
            await injector.DisposeAsync();
            throw new TimeoutException("The injector wrote no endpoint-utp-tls.");
        }
        injector.Utp = utp;
        injector.ClientEndpoint = $"utp:{utp}";
        injector.ClientExtra = ["--injector-tls-cert-file", Path.Combine(injector.Repo, "tls-cert.pem")];
        return injector;
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        _repo.Dispose();
    }
}

/// <summary>
/// A real <c>ouinet client</c> process on free loopback ports (proxy and front-end), pointed at an injector. 
/// <see cref="RestartAsync"/> kills it and starts it again on the same repository (saved options and cache kept).
/// </summary>
internal sealed class ClientNode : IAsyncDisposable
{
    private readonly string[] _args;

    private ClientNode(TempDirectory repo, string[] args)
    {
        Repo = repo;
        _args = args;
    }

    /// <summary>The UDP endpoint of the DHT and the uTP peer server (with <c>cache-type bep5-http</c>).</summary>
    public IPEndPoint? Udp { get; private set; }

    public TempDirectory Repo { get; }

    public OuinetProcess Process { get; private set; } = null!;

    public IPEndPoint Proxy { get; private set; } = null!;

    /// <summary>The front-end endpoint (<c>frontend_tcp_endpoint</c> of <c>endpoints.json</c>).</summary>
    public IPEndPoint FrontEnd { get; private set; } = null!;

    public string FrontEndUrl => $"http://{FrontEnd}/";

    public string CaCertificateFile => Repo.Combine("ssl-ca-cert.pem");

    public static async Task<ClientNode> StartAsync(InjectorNode injector, TestCertificateAuthority authority, CancellationToken cancellationToken, params string[] extra)
    {
        var repo = new TempDirectory("e2e-client");
        var ca = repo.Combine("test-ca.pem");
        await File.WriteAllTextAsync(ca, authority.CertificatePem, cancellationToken);
        var node = new ClientNode(repo,
        [
            "client", "--repo", repo.Path, "--listen-on-tcp", "127.0.0.1:0", "--front-end-ep", "127.0.0.1:0",
            .. (injector.ClientEndpoint.Length > 0 ? ["--injector-ep", injector.ClientEndpoint] : Array.Empty<string>()), .. injector.ClientExtra, "--cache-http-public-key", injector.PublicKey,
            "--tls-ca-cert-store-file", ca, "--allow-private-targets", .. extra,
        ]);
        await node.LaunchAsync(cancellationToken);
        return node;
    }

    /// <summary>Kills the process (no clean stop) and starts a new one with the same arguments and repository.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        await Process.DisposeAsync();
        await LaunchAsync(cancellationToken);
    }

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        var endpoints = Repo.Combine("endpoints.json");
        Process = await OuinetProcess.StartAsync(endpoints, cancellationToken, _args);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(endpoints, cancellationToken));
        Proxy = IPEndPoint.Parse(json.RootElement.GetProperty("proxy_endpoint").GetString()!);
        FrontEnd = IPEndPoint.Parse(json.RootElement.GetProperty("frontend_tcp_endpoint").GetString()!);
        Udp = json.RootElement.TryGetProperty("udp_mux_endpoint", out var u) && u.GetString() is { } text ? IPEndPoint.Parse(text) : null;
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        Repo.Dispose();
    }
}
