using System.Net;
using Ouinet.EndToEnd.Tests.Support;
using Ouinet.Testing.Origins;

namespace Ouinet.EndToEnd.Tests;

/// <summary>
/// Finding the injector in its DHT swarm when others announce there too: as C++ Ouinet, the client tries the swarm's
/// endpoints at once (100 ms apart) and keeps the first that passes pinned TLS.
/// </summary>
public sealed class InjectorRaceTests
{
    [Fact(Timeout = 120_000)]
    public async Task ADeadEntryAndAFakeInjectorInTheSwarm_DoNotKeepTheClientFromTheRealOne()
    {
        var ct = TestContext.Current.CancellationToken;
        using var authority = new TestCertificateAuthority();
        await using var origin = await TestOrigin.StartAsync(authority, ct);
        await using var dht = await DhtBootstrapNode.StartAsync(ct);
        // The key is the injector's (its repo is made first); the two others announce before it starts.
        await using var injector = await InjectorNode.StartOverUtpAsync(authority, dht.EndPoint, ct);
        var utp = injector.Utp;
        // Another certificate, valid for localhost from a CA: only pinning tells it from the injector's.
        using var otherCertificate = authority.IssueServerCertificate("localhost");
        await using var fake = await FakeInjector.StartAsync(dht, injector.PublicKey, otherCertificate, ct);
        await using var dead = await FakeInjector.StartAsync(dht, injector.PublicKey, certificate: null, ct);
        await fake.WaitForSwarmAsync(injector.PublicKey, 3, ct);

        injector.ClientEndpoint = "";
        await using var client = await ClientNode.StartAsync(injector, authority, ct, ["--disable-origin-access", .. dht.ClientArguments]);
        using var http = ProxiedHttp.Create(client.Proxy, client.CaCertificateFile);
        // Well within the 30 s connect timeout a dead first entry would cost.
        http.Timeout = TimeSpan.FromSeconds(20);
        for (var i = 1; i <= 3; i++)
        {
            using var response = await http.GetAsync(origin.HttpUrl($"/bytes/{10000 + i}"), ct);
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}\n{client.Process.Output}");
            Assert.Equal("injector", ProxiedHttp.Header(response, "X-Ouinet-Source"));
            Assert.StartsWith("id=", ProxiedHttp.Header(response, "X-Ouinet-Injection"), StringComparison.Ordinal);
            Assert.Equal(PatternBody.Create(10000 + i), body);
        }
        var log = client.Process.Output;
        Assert.Contains($"/v6/injectors: {utp}", log, StringComparison.Ordinal);
        Assert.DoesNotContain($"/v6/injectors: {fake.EndPoint}", log, StringComparison.Ordinal);
        Assert.DoesNotContain($"/v6/injectors: {dead.EndPoint}", log, StringComparison.Ordinal);
        // A fake the client tried to the end was refused for its certificate (one still in its handshake when the real
        // injector answered was cancelled instead).
        Assert.All(log.Split('\n').Where(l => l.Contains($"Injector candidate {fake.EndPoint} skipped", StringComparison.Ordinal)),
            l => Assert.Contains("TLS with the injector at utp:", l, StringComparison.Ordinal));
    }
}
