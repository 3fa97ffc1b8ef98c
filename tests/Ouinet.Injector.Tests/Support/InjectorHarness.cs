using System.Net;
using System.Security.Cryptography.X509Certificates;
using Ouinet.Protocol.Keys;

namespace Ouinet.Injector.Tests.Support;

/// <summary>
/// An injector running in-process on 127.0.0.1 (one TCP and one TLS endpoint, port 0), with a fresh repository (key and
/// TLS certificate made there), private targets allowed (the test origin is on loopback) and the test CA trusted.
/// </summary>
internal sealed class InjectorHarness : IAsyncDisposable
{
    private readonly TempDirectory _repo;

    private InjectorHarness(TempDirectory repo, InjectorServer server, InjectorPrivateKey key, X509Certificate2 certificate)
    {
        _repo = repo;
        Server = server;
        Key = key;
        TlsCertificate = certificate;
    }

    public InjectorServer Server { get; }

    public InjectorPrivateKey Key { get; }

    public InjectorPublicKey PublicKey => Key.PublicKey;

    /// <summary>The injector's certificate with its key; clients pin its public part.</summary>
    public X509Certificate2 TlsCertificate { get; }

    public string RepositoryPath => _repo.Path;

    public IPEndPoint Tcp => Server.Endpoints.First(e => e.Kind == InjectorEndpointKind.Tcp).EndPoint;

    public IPEndPoint Tls => Server.Endpoints.First(e => e.Kind == InjectorEndpointKind.TcpTls).EndPoint;

    public static async Task<InjectorHarness> StartAsync(OriginFixture fixture, CancellationToken cancellationToken, Func<InjectorOptions, InjectorOptions>? configure = null, InjectorPrivateKey? key = null)
    {
        var repo = new TempDirectory("ouinet-injector");
        var repository = new InjectorRepository(repo.Path);
        key ??= repository.LoadOrCreateSigningKey();
        var certificate = repository.LoadOrCreateTlsCertificate();
        var options = new InjectorOptions
        {
            SigningKey = key,
            TcpEndpoints = [new IPEndPoint(IPAddress.Loopback, 0)],
            TlsEndpoints = [new IPEndPoint(IPAddress.Loopback, 0)],
            TlsCertificate = certificate,
            AllowPrivateTargets = true,
            ExtraTrustedCertificates = [fixture.Authority.Certificate],
        };
        if (configure is not null)
        {
            options = configure(options);
        }
        var server = new InjectorServer(options);
        await server.StartAsync(cancellationToken);
        return new InjectorHarness(repo, server, key, certificate);
    }

    public Task<RawClient> ConnectAsync(bool tls = false) =>
        tls ? RawClient.ConnectAsync(Tls, TlsCertificate, TestContext.Current.CancellationToken) : RawClient.ConnectAsync(Tcp, null, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Key.Dispose();
        TlsCertificate.Dispose();
        _repo.Dispose();
    }
}
