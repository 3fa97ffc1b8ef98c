using System.Net;
using Microsoft.Extensions.Logging;
using Ouinet.Dht;
using Ouinet.Net;
using Ouinet.Protocol;
using Ouinet.Protocol.Dht;
using Ouinet.Protocol.Keys;
using Ouinet.Utp;

namespace Ouinet.Cli.Commands;

/// <summary>
/// The injector's uTP side (<c>listen-on-utp-tls</c>): one UDP socket shared by uTP and a DHT node that keeps the
/// injector announced in <c>ed25519:&lt;key&gt;/v6/injectors</c>, where clients without <c>injector-ep</c> look for it.
/// </summary>
internal sealed partial class UtpInjectorEndpoint : IAsyncDisposable
{
    public const string EndpointFileName = "endpoint-utp-tls";

    private readonly UdpMultiplexer _mux;
    private readonly DhtNode _dht;
    private readonly UtpSocket _utp;
    private readonly DhtAnnouncement _announcement;

    private UtpInjectorEndpoint(UdpMultiplexer mux, DhtNode dht, UtpSocket utp, DhtAnnouncement announcement)
    {
        _mux = mux;
        _dht = dht;
        _utp = utp;
        _announcement = announcement;
        Listener = new UtpInjectorListener(utp);
    }

    public UtpInjectorListener Listener { get; }

    public IPEndPoint EndPoint => _mux.LocalEndPoint;

    public static async Task<UtpInjectorEndpoint> StartAsync(IPEndPoint endpoint, InjectorPublicKey key, IReadOnlyList<EndPoint> bootstrap, bool defaultRouters, bool allowMartians,
        string repository, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var mux = UdpMultiplexer.Bind(endpoint);
        var dht = new DhtNode(new DhtOptions
        {
            BootstrapNodes = bootstrap,
            UseDefaultBootstrapRouters = defaultRouters,
            AllowMartians = allowMartians,
            RepositoryPath = repository,
        }, mux, loggerFactory: loggerFactory);
        var utp = new UtpSocket(mux, new UtpSocketOptions { AcceptBacklog = 64 }, loggerFactory: loggerFactory);
        mux.Start();
        await dht.StartAsync(cancellationToken);
        var swarm = SwarmName.Injectors(key, ProtocolVersion.Current);
        var logger = loggerFactory.CreateLogger("Ouinet.Injector");
        InjectorSwarm(logger, swarm.Name, swarm.InfoHashHex, mux.LocalEndPoint);
        var announcement = dht.KeepAnnounced(new InfoHash(swarm.InfoHash));
        return new UtpInjectorEndpoint(mux, dht, utp, announcement);
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Injector swarm: sha1('{Swarm}') = {InfoHash}; uTP+TLS on {EndPoint}")]
    private static partial void InjectorSwarm(ILogger logger, string swarm, string infoHash, IPEndPoint endPoint);

    public async ValueTask DisposeAsync()
    {
        await _announcement.DisposeAsync();
        await _utp.DisposeAsync();
        await _dht.DisposeAsync();
        await _mux.DisposeAsync();
    }
}
