using System.Net;

namespace Ouinet.Client.Tests;

public sealed class ClientOptionsTests
{
    private const string Key = "0e5070c7c59b4ac64f7de9e2db46dfe552941f7b755c017ffa1943a0b6d9ceec";

    [Fact]
    public void Defaults_AreOuinets()
    {
        var options = new ClientOptions { Repository = "/tmp/x" };
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 8077), options.ListenOnTcp);
        Assert.Equal(TimeSpan.FromDays(7), options.MaxCachedAge);
        Assert.Equal("local", options.LocalDomain);
        Assert.Equal([443], options.TlsInterceptPorts);
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void EveryProblem_IsReported_NamingItsOption()
    {
        var errors = new ClientOptions
        {
            Repository = "",
            InjectorEndpoint = "tcp:localhost:7070",
            InjectorCredentials = "nocolon",
            CacheHttpPublicKey = "xyz",
            CacheTypes = ["ouisync"],
            CacheStaticRepo = "/nowhere",
            LocalDomain = "a.b",
            TlsInterceptPorts = [0],
        }.Validate();
        foreach (var name in new[] { "repo:", "injector-ep", "injector-credentials:", "cache-http-public-key:", "cache-type \"ouisync\"", "cache-static-repo:", "local-domain", "tls-intercept-port" })
        {
            Assert.Contains(errors, e => e.StartsWith(name, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("utp:injector.example:7085", "utp:IP:PORT")]
    [InlineData("bep5:whatever", "implicitly")]
    [InlineData("i2p:abc.b32.i2p", "not supported")]
    [InlineData("127.0.0.1:7070", "TYPE:ENDPOINT")]
    [InlineData("tcp:[::1]:0", "tcp:IP:PORT")]
    public void InjectorEndpoints_OtherThanTcp_SayWhy(string text, string reason)
    {
        Assert.False(InjectorEndpoint.TryParse(text, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void UtpInjectorEndpoints_Parse()
    {
        Assert.True(InjectorEndpoint.TryParse("utp:127.0.0.1:7085", out var endpoint, out _));
        Assert.Equal(InjectorTransport.Utp, endpoint.Transport);
        Assert.Equal("utp:127.0.0.1:7085", endpoint.ToString());
    }

    [Theory]
    [InlineData("127.0.0.1:7001", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("router.example.org:6881", true)]
    [InlineData("[::1]:7001", true)]
    [InlineData("bad host:1", false)]
    [InlineData("127.0.0.1:0", false)]
    public void BootstrapNodes_Parse(string text, bool valid)
    {
        Assert.Equal(valid, ClientOptions.TryParseBootstrap(text, out _));
        var errors = new ClientOptions { Repository = "/tmp/x", BtBootstrapExtra = [text] }.Validate();
        Assert.Equal(!valid, errors.Any(e => e.StartsWith("bt-bootstrap-extra", StringComparison.Ordinal)));
    }

    [Fact]
    public void TcpInjectorEndpoints_Parse()
    {
        Assert.True(InjectorEndpoint.TryParse("tcp:127.0.0.1:7070", out var v4, out _));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 7070), v4.EndPoint);
        Assert.True(InjectorEndpoint.TryParse("tcp:[::1]:7070", out var v6, out _));
        Assert.Equal(IPAddress.IPv6Loopback, v6.EndPoint!.Address);
    }

    [Fact]
    public void OverlayInjectorEndpoints_ParseAName_AndNeedAnOverlay()
    {
        Assert.True(InjectorEndpoint.TryParse("overlay:injector", out var ep, out _));
        Assert.Equal((InjectorTransport.Overlay, "injector", "overlay:injector"), (ep.Transport, ep.OverlayName, ep.ToString()));
        Assert.False(InjectorEndpoint.TryParse("overlay:", out _, out var error));
        Assert.Contains("overlay:NAME", error, StringComparison.Ordinal);
        Assert.False(InjectorEndpoint.TryParse("overlay:a b", out _, out _));
        Assert.False(InjectorEndpoint.TryParse("overlay:" + new string('x', 256), out _, out _));
        var options = new ClientOptions { Repository = "/tmp/x", InjectorEndpoint = "overlay:injector", DisableInjectorAccess = true };
        Assert.Contains(options.Validate(), e => e.Contains("overlay node", StringComparison.Ordinal));
        Assert.Empty((options with { OverlayDialer = (_, _) => ValueTask.FromResult<Stream>(new MemoryStream()) }).Validate());
    }

    [Fact]
    public void UsingTheInjector_NeedsItsKey_UnlessInjectionIsOff()
    {
        var options = new ClientOptions { Repository = "/tmp/x", InjectorEndpoint = "tcp:127.0.0.1:7070" };
        Assert.Contains(options.Validate(), e => e.StartsWith("cache-http-public-key: required", StringComparison.Ordinal));
        Assert.Empty((options with { DisableInjectorAccess = true }).Validate());
        Assert.Empty((options with { CacheHttpPublicKey = Key }).Validate());
        Assert.Empty((options with { CacheHttpPublicKey = "bzihbr6ftnfmmt355hrnwrw74vjjih33ovoac772dfb2bnwzz3wa" }).Validate());
    }

    [Fact]
    public void Bep5Http_IsAccepted_WithItsKey()
    {
        var options = new ClientOptions { Repository = "/tmp/x", CacheTypes = ["bep5-http"] };
        Assert.Contains(options.Validate(), e => e.StartsWith("cache-type bep5-http: needs cache-http-public-key", StringComparison.Ordinal));
        Assert.Empty((options with { CacheHttpPublicKey = Key }).Validate());
    }

    [Fact]
    public void TheBuilder_SetsTheOptions_AndRefusesInvalidOnes()
    {
        var builder = new OuinetClientBuilder()
            .WithRepository("/tmp/x")
            .WithInjector("tcp:127.0.0.1:7070", "user:pass")
            .WithCachePublicKey(Key)
            .DisableOrigin()
            .AllowPrivateTargets()
            .InterceptTlsOnPort(8443);
        var options = builder.Options;
        Assert.Equal("tcp:127.0.0.1:7070", options.InjectorEndpoint);
        Assert.Equal("user:pass", options.InjectorCredentials);
        Assert.True(options.DisableOriginAccess);
        Assert.True(options.AllowPrivateTargets);
        Assert.Equal([443, 8443], options.TlsInterceptPorts);
        Assert.NotNull(builder.Build());
        var error = Assert.Throws<ClientOptionsException>(() => new OuinetClientBuilder().WithRepository("/tmp/x").WithInjector("udp:1.2.3.4:5").Build());
        Assert.Contains(error.Errors, e => e.StartsWith("injector-ep", StringComparison.Ordinal));
    }
}
