using System.Net;
using Ouinet.Injector;
using Ouinet.Protocol.Keys;

namespace Ouinet.Client.Tests.Support;

/// <summary>An injector in-process on 127.0.0.1 (TCP and TLS), private targets allowed, the test CA trusted, names from <see cref="MapResolver.ForInjector"/>.</summary>
internal sealed class TestInjector : IAsyncDisposable
{
    private readonly TempDirectory _repo;
    private readonly InjectorPrivateKey _key;

    private TestInjector(TempDirectory repo, InjectorServer server, InjectorPrivateKey key)
    {
        _repo = repo;
        Server = server;
        _key = key;
    }

    public InjectorServer Server { get; }

    public InjectorPublicKey PublicKey => _key.PublicKey;

    public IPEndPoint Tcp => Server.Endpoints.First(e => e.Kind == InjectorEndpointKind.Tcp).EndPoint;

    public IPEndPoint Tls => Server.Endpoints.First(e => e.Kind == InjectorEndpointKind.TcpTls).EndPoint;

    /// <summary>The injector's <c>tls-cert.pem</c> (what a client pins).</summary>
    public string TlsCertificateFile => Path.Combine(_repo.Path, "tls-cert.pem");

    public static async Task<TestInjector> StartAsync(OriginFixture fixture, Func<InjectorOptions, InjectorOptions>? configure = null)
    {
        var repo = new TempDirectory("ouinet-injector");
        var repository = new InjectorRepository(repo.Path);
        var key = repository.LoadOrCreateSigningKey();
        var certificate = repository.LoadOrCreateTlsCertificate();
        var options = new InjectorOptions
        {
            SigningKey = key,
            TcpEndpoints = [new IPEndPoint(IPAddress.Loopback, 0)],
            TlsEndpoints = [new IPEndPoint(IPAddress.Loopback, 0)],
            TlsCertificate = certificate,
            AllowPrivateTargets = true,
            ExtraTrustedCertificates = [fixture.Authority.Certificate],
            OriginResolver = MapResolver.ForInjector,
        };
        var server = new InjectorServer(configure is null ? options : configure(options));
        await server.StartAsync(TestContext.Current.CancellationToken);
        return new TestInjector(repo, server, key);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _key.Dispose();
        _repo.Dispose();
    }
}
