using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Ouinet.Dht;
using Ouinet.Net;
using Ouinet.Protocol;
using Ouinet.Protocol.Dht;
using Ouinet.Protocol.Keys;
using Ouinet.Utp;

namespace Ouinet.EndToEnd.Tests.Support;

/// <summary>
/// A peer that announces itself in an injector's <c>…/injectors</c> swarm: with <paramref name="certificate"/>, a uTP
/// listener answering TLS with that (not the injector's) certificate; without, nothing listening for uTP (a dead entry).
/// </summary>
internal sealed class FakeInjector : IAsyncDisposable
{
    private readonly UdpMultiplexer _mux;
    private readonly DhtNode _dht;
    private readonly UtpSocket? _utp;
    private readonly CancellationTokenSource _stop = new();
    private Task? _accept;

    private FakeInjector(UdpMultiplexer mux, DhtNode dht, UtpSocket? utp)
    {
        _mux = mux;
        _dht = dht;
        _utp = utp;
    }

    public IPEndPoint EndPoint => _mux.LocalEndPoint;

    public static async Task<FakeInjector> StartAsync(DhtBootstrapNode dht, string injectorKey, X509Certificate2? certificate, CancellationToken cancellationToken)
    {
        var mux = UdpMultiplexer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var node = new DhtNode(new DhtOptions { BootstrapNodes = [dht.EndPoint], UseDefaultBootstrapRouters = false }, mux);
        var utp = certificate is null ? null : new UtpSocket(mux, new UtpSocketOptions { AcceptBacklog = 16 });
        mux.Start();
        await node.StartAsync(cancellationToken);
        var fake = new FakeInjector(mux, node, utp);
        if (certificate is not null)
        {
            fake._accept = fake.AcceptLoopAsync(certificate);
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await node.WaitForBootstrapAsync(timeout.Token);
        var key = InjectorPublicKey.TryParse(injectorKey, out var k, out _) ? k : throw new ArgumentException("bad key", nameof(injectorKey));
        var swarm = new InfoHash(SwarmName.Injectors(key, ProtocolVersion.Current).InfoHash);
        while (!(await node.AnnounceAsync(swarm, null, timeout.Token)).Succeeded)
        {
            await Task.Delay(500, timeout.Token);
        }
        return fake;
    }

    /// <summary>Looks the swarm up from our node until it lists <paramref name="count"/> peers.</summary>
    public async Task WaitForSwarmAsync(string injectorKey, int count, CancellationToken cancellationToken)
    {
        var key = InjectorPublicKey.TryParse(injectorKey, out var k, out _) ? k : throw new ArgumentException("bad key", nameof(injectorKey));
        var swarm = new InfoHash(SwarmName.Injectors(key, ProtocolVersion.Current).InfoHash);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            var peers = new HashSet<IPEndPoint>();
            await foreach (var peer in _dht.GetPeersAsync(swarm, timeout.Token))
            {
                peers.Add(peer);
            }
            if (peers.Count >= count)
            {
                return;
            }
            await Task.Delay(500, timeout.Token);
        }
    }

    private async Task AcceptLoopAsync(X509Certificate2 certificate)
    {
        while (!_stop.IsCancellationRequested)
        {
            UtpStream stream;
            try
            {
                stream = await _utp!.AcceptAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (IOException)
            {
                continue;
            }
            _ = Task.Run(async () =>
            {
                await using var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                try
                {
                    await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, _stop.Token);
                    _ = await tls.ReadAsync(new byte[1], _stop.Token);   // held open until the client leaves
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
                {
                    // The client refuses our certificate: what the test wants.
                }
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_utp is not null)
        {
            await _utp.DisposeAsync();
        }
        if (_accept is not null)
        {
            await _accept;
        }
        await _dht.DisposeAsync();
        await _mux.DisposeAsync();
        _stop.Dispose();
    }
}
