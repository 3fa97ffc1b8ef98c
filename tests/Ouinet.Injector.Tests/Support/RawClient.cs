using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Ouinet.Http;
using Ouinet.Protocol.Keys;
using Ouinet.Protocol.Streams;

namespace Ouinet.Injector.Tests.Support;

/// <summary>A client on a raw socket (optionally TLS, pinning one certificate as Ouinet clients do): writes bytes, reads responses with our codec.</summary>
internal sealed class RawClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;

    private RawClient(TcpClient tcp, Stream stream)
    {
        _tcp = tcp;
        Stream = stream;
        Reader = HttpMessageReader.Create(stream, leaveOpen: true);
    }

    public Stream Stream { get; }

    public HttpMessageReader Reader { get; }

    public static async Task<RawClient> ConnectAsync(IPEndPoint endpoint, X509Certificate2? pinned, CancellationToken cancellationToken)
    {
        var tcp = new TcpClient(endpoint.AddressFamily) { NoDelay = true };
        await tcp.ConnectAsync(endpoint, cancellationToken);
        Stream stream = tcp.GetStream();
        if (pinned is not null)
        {
            var tls = new SslStream(stream);
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = "localhost",
                    // Pinning: only this exact certificate, whatever the name (as Ouinet clients treat injectors).
                    RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetRawCertData().AsSpan().SequenceEqual(pinned.RawData),
                },
                cancellationToken);
            stream = tls;
        }
        return new RawClient(tcp, stream);
    }

    /// <summary>A GET injection request for <paramref name="uri"/> (<c>X-Ouinet-Version: 6</c>).</summary>
    public static string Injection(string uri, string extraFields = "", string method = "GET", string version = "6")
    {
        var authority = uri[(uri.IndexOf("://", StringComparison.Ordinal) + 3)..].Split('/')[0];
        return $"{method} {uri} HTTP/1.1\r\nHost: {authority}\r\nX-Ouinet-Version: {version}\r\n{extraFields}\r\n";
    }

    public async Task SendAsync(string request)
    {
        await Stream.WriteAsync(Encoding.Latin1.GetBytes(request), TestContext.Current.CancellationToken);
        await Stream.FlushAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Reads one response and its whole body.</summary>
    public async Task<(HttpResponseHead Head, byte[] Body)> ReadResponseAsync(string method = "GET")
    {
        var ct = TestContext.Current.CancellationToken;
        var head = await Reader.ReadResponseHeadAsync(ct);
        var body = Reader.ReadResponseBody(head, method);
        using var buffer = new MemoryStream();
        await body.AsStream().CopyToAsync(buffer, ct);
        return (head, buffer.ToArray());
    }

    /// <summary>Reads one signed response and verifies it to its end against <paramref name="key"/>.</summary>
    public async Task<SignedResult> ReadSignedAsync(InjectorPublicKey key, string uri, string method = "GET")
    {
        var ct = TestContext.Current.CancellationToken;
        var head = await Reader.ReadResponseHeadAsync(ct);
        using var reader = await SignedResponseReader.OpenAsync(head, Reader.ReadResponseBody(head, method), key, new SignedResponseOptions { ExpectedUri = uri }, ct);
        using var body = new MemoryStream();
        while (await reader.ReadBlockAsync(ct) is { } block)
        {
            body.Write(block.Data.Span);
        }
        return new SignedResult(head, reader.Head, reader.StoredHead, body.ToArray(), reader.Injection.Id);
    }

    /// <summary>True once the server has closed the connection (a read returns 0 or fails).</summary>
    public async Task<bool> IsClosedAsync()
    {
        try
        {
            return await Stream.ReadAsync(new byte[1], TestContext.Current.CancellationToken) == 0;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Reader.DisposeAsync();
        await Stream.DisposeAsync();
        _tcp.Dispose();
    }
}

/// <summary>A verified injection: the head as received, the verified head and stored head, the body.</summary>
internal sealed record SignedResult(HttpResponseHead Received, HttpResponseHead Verified, HttpResponseHead? Stored, byte[] Body, string InjectionId);
