using System.Net;
using System.Text.Json;
using Ouinet.Overlay.Tests.Support;
using Ouinet.Testing.Origins;

namespace Ouinet.Overlay.Tests.Process;

/// <summary>
/// The injector transport end to end, as real processes on loopback UDP: <c>ouinet injector --listen-on-overlay</c>,
/// an <c>ouinet overlay node</c> relay and <c>ouinet client --injector-ep overlay:injector</c> in a line; the client
/// (with origin access off) gets a page from the injector over the overlay and verifies its signatures.
/// </summary>
[Collection(ProcessCollection.Name)]
public class InjectorProcessTests
{
    [Fact(Timeout = 120_000)]
    public async Task A_client_process_gets_a_verified_injected_page_from_an_injector_process_two_overlay_hops_away()
    {
        var ct = TestContext.Current.CancellationToken;
        using var authority = new TestCertificateAuthority();
        await using var origin = await TestOrigin.StartAsync(authority, ct);
        using var dir = new TempDirectory("overlay-injector");
        var ca = dir.Combine("test-ca.pem");
        await File.WriteAllTextAsync(ca, authority.CertificatePem, ct);
        var ports = LoopbackOverlay.FreePorts(3);
        for (var i = 0; i < 3; i++)
        {
            await File.WriteAllTextAsync(dir.Combine($"n{i}.conf"), LoopbackOverlay.Config(i, ports, i == 0 ? [] : [i - 1]), ct);
        }

        var injectorRepo = dir.Combine("injector");
        await using var injector = OuinetProcess.Start("injector",
            "injector", "--repo", injectorRepo, "--listen-on-tcp", "127.0.0.1:0", "--overlay-config", dir.Combine("n0.conf"),
            "--listen-on-overlay", "injector", "--allow-private-targets", "--tls-ca-cert-store-file", ca);
        // The TCP listener is there only to tell when the injector is up (its endpoint file); the client never uses it.
        await injector.WaitUntilAsync(() => File.Exists(Path.Combine(injectorRepo, "endpoint-tcp")), ct);
        await using var relay = OuinetProcess.Start("relay", "overlay", "node", "--config", dir.Combine("n1.conf"));
        var clientRepo = dir.Combine("client");
        await using var client = OuinetProcess.Start("client",
            "client", "--repo", clientRepo, "--listen-on-tcp", "127.0.0.1:0", "--front-end-ep", "127.0.0.1:0", "--overlay-config", dir.Combine("n2.conf"),
            "--injector-ep", "overlay:injector", "--injector-tls-cert-file", Path.Combine(injectorRepo, "tls-cert.pem"),
            "--cache-http-public-key", (await File.ReadAllTextAsync(Path.Combine(injectorRepo, "ed25519-public-key"), ct)).Trim(),
            "--disable-origin-access", "--allow-private-targets", "--tls-ca-cert-store-file", ca);
        var endpoints = Path.Combine(clientRepo, "endpoints.json");
        await client.WaitUntilAsync(() => File.Exists(endpoints), ct);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(endpoints, ct));
        var proxy = IPEndPoint.Parse(json.RootElement.GetProperty("proxy_endpoint").GetString()!);

        using var http = new HttpClient(new SocketsHttpHandler { Proxy = new FixedProxy(new Uri($"http://{proxy}")), UseProxy = true }) { Timeout = TimeSpan.FromSeconds(60) };
        // The client's dial waits (up to its connect timeout) for the relay's enrolment and the name's directory entry.
        using var response = await http.GetAsync(origin.HttpUrl("/hello").Replace("127.0.0.1", "localhost", StringComparison.Ordinal), ct);
        var diagnostics = $"{injector.Output}\n--relay--\n{relay.Output}\n--client--\n{client.Output}";
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}\n{diagnostics}");
        Assert.Equal("Hello world!", await response.Content.ReadAsStringAsync(ct));
        // "injector": fetched through the injector and verified by the client against the injector's public key.
        Assert.Equal("injector", string.Join(",", response.Headers.GetValues("X-Ouinet-Source")));
        Assert.StartsWith("id=", string.Join(",", response.Headers.GetValues("X-Ouinet-Injection")), StringComparison.Ordinal);
        Assert.Contains("overlay:injector", client.Output, StringComparison.Ordinal);
        Assert.False(injector.HasExited || relay.HasExited || client.HasExited, diagnostics);
    }

    /// <summary>A proxy that is never bypassed (WebProxy bypasses loopback targets).</summary>
    private sealed class FixedProxy(Uri proxy) : IWebProxy
    {
        public ICredentials? Credentials { get; set; }

        public Uri GetProxy(Uri destination) => proxy;

        public bool IsBypassed(Uri host) => false;
    }
}
