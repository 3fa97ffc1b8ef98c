using System.Net;
using Ouinet.Injector.Origin;
using Ouinet.Injector.Tests.Support;
using Ouinet.Protocol.Keys;
using Ouinet.Testing.Origins;
using Microsoft.Extensions.Time.Testing;

namespace Ouinet.Injector.Tests;

/// <summary>The spec's "Injector-to-client cache entry exchange" example, byte for byte on the wire.</summary>
public sealed class SpecExampleTests(OriginFixture fixture)
{
    [Fact(Timeout = 30_000)]
    public async Task The_hello_world_exchange_is_reproduced_byte_for_byte()
    {
        var ct = TestContext.Current.CancellationToken;
        var vector = TestPaths.Vector("vectors", "hello");
        using var certificate = fixture.Authority.IssueServerCertificate("example.com");
        // The origin answers exactly the vector's origin response, over TLS, as https://example.com/hello.
        await using var origin = new ScriptedOrigin(ScriptedOrigin.Respond(File.ReadAllBytes(Path.Combine(vector, "origin-response.http"))), certificate);
        var seed = Convert.FromHexString(File.ReadAllText(TestPaths.Vector("keys", "trusted.seed.hex")).Trim());
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1584748800));
        var key = InjectorPrivateKey.FromSeed(seed);
        await using var injector = await InjectorHarness.StartAsync(
            fixture,
            ct,
            o => o with
            {
                BlockSize = 5,
                TimeProvider = time,
                InjectionIds = new FixedIds("qwertyuiop-12345"),
                OriginResolver = new MapResolver("example.com", origin.EndPoint),
            },
            key);
        await using var client = await injector.ConnectAsync(tls: true);
        await client.SendAsync(RawClient.Injection("https://example.com/hello"));

        var expected = File.ReadAllBytes(Path.Combine(vector, "injector-stream.http"));
        var received = new byte[expected.Length];
        await client.Stream.ReadExactlyAsync(received, ct);
        Assert.Equal(System.Text.Encoding.Latin1.GetString(expected), System.Text.Encoding.Latin1.GetString(received));
    }

    private sealed class FixedIds(string id) : IInjectionIdSource
    {
        public string NewId() => id;
    }

    /// <summary>Points one name (any port) at a local endpoint; every other name fails to resolve.</summary>
    internal sealed class MapResolver(string name, IPEndPoint target) : IOriginResolver
    {
        public ValueTask<IReadOnlyList<IPEndPoint>> ResolveAsync(string host, int port, CancellationToken cancellationToken) =>
            host == name
                ? ValueTask.FromResult<IReadOnlyList<IPEndPoint>>([target])
                : throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound);
    }
}
