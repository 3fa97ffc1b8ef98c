using Ouinet.Client.Tests.Support;
using Ouinet.Protocol.Keys;

namespace Ouinet.Client.Tests.Proxy;

/// <summary>A static cache (the vectors' data-v3 tree) is another source of verified entries.</summary>
public sealed class StaticCacheTests(OriginFixture fixture) : IDisposable
{
    private readonly TempDirectory _temp = new("client-static");

    public void Dispose() => _temp.Dispose();

    [Fact(Timeout = 30000)]
    public async Task StaticCacheEntries_AreServed_WithOriginAndInjectorDisabled()
    {
        var root = _temp.Combine("static");
        TempDirectory.CopyTree(TestPaths.Vector("static-cache"), root);
        var key = InjectorPublicKey.Parse(File.ReadAllText(TestPaths.Vector("keys", "trusted.public.hex")).Trim());
        await using var harness = await ClientHarness.StartAsync(fixture, injector: null, o => o with
        {
            CacheHttpPublicKey = key.ToHex(),
            CacheStaticRoot = root,
            DisableOriginAccess = true,
        });
        using var response = await harness.CreateHttpClient().GetAsync("https://example.com/hello", TestContext.Current.CancellationToken);
        Assert.Equal("local-cache", MechanismTests.Header(response, "X-Ouinet-Source"));
        Assert.NotNull(MechanismTests.Header(response, "X-Ouinet-Injection"));
        Assert.Equal("Hello world!", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact(Timeout = 30000)]
    public async Task ATamperedStaticEntry_IsNotServed()
    {
        var root = _temp.Combine("static");
        TempDirectory.CopyTree(TestPaths.Vector("static-cache"), root);
        var body = Path.Combine(root, "files", "big.bin");
        var bytes = await File.ReadAllBytesAsync(body, TestContext.Current.CancellationToken);
        bytes[100_000] ^= 1;
        await File.WriteAllBytesAsync(body, bytes, TestContext.Current.CancellationToken);
        var key = InjectorPublicKey.Parse(File.ReadAllText(TestPaths.Vector("keys", "trusted.public.hex")).Trim());
        await using var harness = await ClientHarness.StartAsync(fixture, injector: null, o => o with { CacheHttpPublicKey = key.ToHex(), CacheStaticRoot = root, DisableOriginAccess = true });
        using var response = await harness.CreateHttpClient().GetAsync("https://example.com/big.bin", TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.BadGateway, response.StatusCode);
    }
}
