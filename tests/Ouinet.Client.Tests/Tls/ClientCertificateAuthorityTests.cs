using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Ouinet.Client.Tls;

namespace Ouinet.Client.Tests.Tls;

public sealed class ClientCertificateAuthorityTests : IDisposable
{
    private readonly TempDirectory _repo = new("client-ca");

    public void Dispose() => _repo.Dispose();

    [Fact]
    public void FirstStart_CreatesTheCa_WithAnOwnerOnlyKey_AndLaterStartsReuseIt()
    {
        string first;
        using (var ca = ClientCertificateAuthority.LoadOrCreate(_repo.Path))
        {
            first = ca.Certificate.Thumbprint;
            Assert.Equal(ClientCertificateAuthority.SubjectName, ca.Certificate.Subject);
            Assert.True(ca.Certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_repo.Combine(ClientCertificateAuthority.KeyFileName)));
        using var again = ClientCertificateAuthority.LoadOrCreate(_repo.Path);
        Assert.Equal(first, again.Certificate.Thumbprint);
    }

    [Fact]
    public void AMissingKey_IsAnError_NotASilentNewCa()
    {
        ClientCertificateAuthority.LoadOrCreate(_repo.Path).Dispose();
        File.Delete(_repo.Combine(ClientCertificateAuthority.KeyFileName));
        Assert.Throws<InvalidDataException>(() => ClientCertificateAuthority.LoadOrCreate(_repo.Path));
    }

    [Fact]
    public void Leaf_ChainsToTheCa_ForItsHostOnly_AndLivesAtMost397Days()
    {
        using var ca = ClientCertificateAuthority.LoadOrCreate(_repo.Path);
        using var leaves = new LeafCertificateCache(ca);
        var leaf = leaves.Get("example.com").TargetCertificate;

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca.Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(leaf), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.True(leaf.MatchesHostname("example.com"));
        Assert.False(leaf.MatchesHostname("other.example.com"));
        Assert.True(leaf.NotAfter - leaf.NotBefore <= TimeSpan.FromDays(397));
        Assert.True(leaf.NotBefore <= DateTime.Now && leaf.NotBefore > DateTime.Now.AddMinutes(-5), "not backdated");
        Assert.Contains(leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>(), o => o.Value == "1.3.6.1.5.5.7.3.1");
    }

    [Fact]
    public void IpHosts_GetAnIpAddressSan()
    {
        using var ca = ClientCertificateAuthority.LoadOrCreate(_repo.Path);
        using var leaves = new LeafCertificateCache(ca);
        Assert.True(leaves.Get("127.0.0.1").TargetCertificate.MatchesHostname("127.0.0.1"));
    }

    [Fact]
    public async Task ManyConnectionsForOneHost_MintOneCertificate_AndTheCacheIsBounded()
    {
        using var ca = ClientCertificateAuthority.LoadOrCreate(_repo.Path);
        using var leaves = new LeafCertificateCache(ca, capacity: 2);
        var contexts = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => leaves.Get("a.example"), TestContext.Current.CancellationToken)));
        Assert.Single(contexts.Distinct());
        Assert.Equal(1, leaves.Minted);
        leaves.Get("b.example");
        leaves.Get("c.example"); // evicts a.example (least recently used)
        leaves.Get("a.example");
        Assert.Equal(4, leaves.Minted);
    }

    [Fact(Timeout = 10000)]
    public async Task ARealTlsHandshake_ValidatesAgainstTheCa()
    {
        var ct = TestContext.Current.CancellationToken;
        using var ca = ClientCertificateAuthority.LoadOrCreate(_repo.Path);
        using var leaves = new LeafCertificateCache(ca);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var server = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync(ct);
            await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
            // As the proxy does: the leaf is picked by the SNI the browser sent.
            await tls.AuthenticateAsServerAsync(
                (_, info, _, _) => ValueTask.FromResult(new SslServerAuthenticationOptions { ServerCertificateContext = leaves.Get(info.ServerName) }),
                null, ct);
            await tls.WriteAsync("ok"u8.ToArray(), ct);
        }, ct);

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, ct);
        await using var clientTls = new SslStream(client.GetStream(), false, (_, cert, chain, errors) =>
        {
            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.Add(ca.Certificate);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None && custom.Build((X509Certificate2)cert!);
        });
        await clientTls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "secure.example" }, ct);
        var buffer = new byte[2];
        await clientTls.ReadExactlyAsync(buffer, ct);
        Assert.Equal("ok"u8.ToArray(), buffer);
        await server;
    }
}
