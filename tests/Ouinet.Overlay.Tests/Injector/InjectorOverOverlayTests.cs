using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Ouinet.Cli.Commands;
using Ouinet.Http;
using Ouinet.Injector;
using Ouinet.Overlay.Tests.Support;
using Ouinet.Protocol.Keys;
using Ouinet.Protocol.Streams;
using Ouinet.Testing.Origins;

namespace Ouinet.Overlay.Tests.Injector;

/// <summary>
/// Three overlay members on loopback UDP (a line: client — relay — injector); the injector listens on the overlay name
/// "injector" (TLS over a reliable flow, as listen-on-overlay does); a test client reaches it by name through the
/// relay and gets an injected page that verifies against the injector's key.
/// </summary>
public class InjectorOverOverlayTests
{
    [Fact(Timeout = 30_000)]
    public async Task A_page_injected_over_a_three_node_overlay_verifies()
    {
        var ct = TestContext.Current.CancellationToken;
        using var authority = new TestCertificateAuthority();
        await using var origin = await TestOrigin.StartAsync(authority, ct);
        var ports = LoopbackOverlay.FreePorts(3);
        await using var injectorNode = LoopbackOverlay.Start(LoopbackOverlay.Config(0, ports, []));
        await using var relay = LoopbackOverlay.Start(LoopbackOverlay.Config(1, ports, [0]));
        await using var client = LoopbackOverlay.Start(LoopbackOverlay.Config(2, ports, [1]));

        injectorNode.Register("injector", "uni");
        var acceptor = injectorNode.Bind("injector");
        using var key = InjectorPrivateKey.Generate();
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var request = new CertificateRequest("CN=injector", rsa, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
        await using var injector = new InjectorServer(new InjectorOptions
        {
            SigningKey = key,
            TlsCertificate = certificate,
            AllowPrivateTargets = true,
            StreamListeners = [new OverlayInjectorListener(acceptor)],
        });
        await injector.StartAsync(ct);

        await LoopbackOverlay.WaitResolvableAsync(client, "injector", ct);
        var flow = await client.AllocAsync("injector", QosSpec.Data, ct);
        Assert.Equal("uni", flow.Layer);
        await using var tls = new SslStream(flow.AsStream(), leaveInnerStreamOpen: false,
            (_, cert, _, _) => cert is not null && cert.GetCertHashString() == certificate.GetCertHashString());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "injector" }, ct);
        var uri = origin.HttpUrl("/hello");
        await tls.WriteAsync(Encoding.ASCII.GetBytes($"GET {uri} HTTP/1.1\r\nHost: {new Uri(uri).Authority}\r\nX-Ouinet-Version: 6\r\n\r\n"), ct);
        await tls.FlushAsync(ct);

        await using var http = HttpMessageReader.Create(tls);
        var head = await http.ReadResponseHeadAsync(ct);
        using var reader = await SignedResponseReader.OpenAsync(head, http.ReadResponseBody(head, "GET"), key.PublicKey, new SignedResponseOptions { ExpectedUri = uri }, ct);
        var body = new List<byte>();
        while (await reader.ReadBlockAsync(ct) is { } block)
        {
            body.AddRange(block.Data.ToArray());
        }
        Assert.Equal("Hello world!", Encoding.ASCII.GetString([.. body]));
        Assert.Equal(200, reader.SignedStatus);
        await injector.StopAsync(TimeSpan.FromSeconds(1));
        // Disposal follows (the client's stream, then the nodes): it used to hang here for FRCP's 120 s linger,
        // the client's last messages never acknowledged by an injector flow already deallocated.
    }
}
