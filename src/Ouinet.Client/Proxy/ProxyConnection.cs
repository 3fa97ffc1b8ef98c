using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Microsoft.Extensions.Logging;
using Ouinet.Client.Responses;
using Ouinet.Http;
using Ouinet.Injector;

namespace Ouinet.Client.Proxy;

/// <summary>
/// One browser connection: requests read one after another (keep-alive; pipelined requests answered in order, each in
/// full before the next head is read). Absolute-form requests go to the <see cref="RequestHandler"/>; CONNECT to an
/// intercepted port (443) becomes a TLS session with a leaf for the host signed by the client CA, whose origin-form
/// requests get <c>https://host[:port]</c> and the same handling; CONNECT to other ports is a byte tunnel to the origin.
/// Origin-form requests are for the client itself: <c>/</c> and <c>/ca.pem</c>, else <c>400 Not a proxy request</c>.
/// </summary>
internal sealed class ProxyConnection(OuinetClient client, Socket socket)
{
    private readonly ClientOptions _options = client.Options;
    private readonly ILogger _logger = client.Logger;

    public async Task RunAsync(CancellationToken abort)
    {
        ProgressStream? stream = null;
        try
        {
            socket.NoDelay = true;
            stream = new ProgressStream(new NetworkStream(socket, ownsSocket: true));
            var input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4 * 1024, leaveOpen: true));
            var progress = stream;
            var fileSender = OperatingSystem.IsLinux() ? new SocketFileSender(socket, () => progress.OnProgress?.Invoke()) : null;
            await ServeAsync(stream, input, tlsAuthority: null, fileSender, abort);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or AuthenticationException or ObjectDisposedException or HttpParseException)
        {
            Log.ConnectionEnded(_logger, e.Message);
        }
        catch (Exception e)
        {
            Log.Unexpected(_logger, e);
        }
        finally
        {
            try
            {
                if (stream is not null)
                {
                    await stream.DisposeAsync();
                }
            }
            catch (IOException)
            {
            }
            socket.Dispose();
        }
    }

    /// <summary>The request loop over a plain or TLS connection; <paramref name="tlsAuthority"/> is the intercepted host[:port].</summary>
    /// <param name="fileSender">Sends stored bodies straight from their files; null when the connection is TLS.</param>
    private async Task ServeAsync(ProgressStream stream, PipeReader input, string? tlsAuthority, IFileSender? fileSender, CancellationToken abort)
    {
        var output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024, leaveOpen: true));
        var reader = new HttpMessageReader(input, _options.Limits, leaveOpen: true);
        using var arrival = new IdleTimeout(_options.BrowserKeepAliveTimeout, _options.TimeProvider, client.Stopping);
        using var idle = new IdleTimeout(_options.IdleTimeout, _options.TimeProvider, abort);
        idle.Pause();
        try
        {
            while (!client.Stopping.IsCancellationRequested)
            {
                HttpRequestHead? head;
                try
                {
                    if (!arrival.Restart(_options.BrowserKeepAliveTimeout))
                    {
                        break;
                    }
                    stream.OnProgress = null;
                    head = await reader.ReadRequestHeadAsync(arrival.Token);
                    arrival.Pause();
                }
                catch (HttpParseException e)
                {
                    Log.BadRequest(_logger, e.StatusCode, e.Message);
                    await WriteTextAsync(output, e.StatusCode, e.Message, close: true, abort);
                    break;
                }
                if (head is null || !idle.Restart(_options.IdleTimeout))
                {
                    break;
                }
                stream.OnProgress = idle.ResetCallback;
                bool keepAlive;
                try
                {
                    if (head.Method == "CONNECT")
                    {
                        idle.Pause();
                        await ConnectAsync(head, reader, output, stream, tlsAuthority, abort);
                        break;
                    }
                    keepAlive = await HandleOneAsync(new BrowserExchange(head, output) { FileSender = fileSender }, reader, tlsAuthority, idle);
                }
                catch (HttpParseException e) when (e.StatusCode != 502)
                {
                    // The browser's request body was malformed, before anything was sent for it.
                    Log.BadRequest(_logger, e.StatusCode, e.Message);
                    await WriteTextAsync(output, e.StatusCode, e.Message, close: true, abort);
                    break;
                }
                idle.Pause();
                if (!keepAlive)
                {
                    break;
                }
            }
        }
        finally
        {
            stream.OnProgress = null;
            await reader.DisposeAsync();
            await output.CompleteAsync();
        }
    }

    private async Task<bool> HandleOneAsync(BrowserExchange exchange, HttpMessageReader reader, string? tlsAuthority, IdleTimeout idle)
    {
        var head = exchange.Request;
        string target;
        if (tlsAuthority is null && (head.TargetForm == RequestTargetForm.Origin || FrontEnd.IsFrontEndTarget(head)))
        {
            return await FrontEnd.AnswerAsync(client, exchange, reader.ReadRequestBody(head), idle.Token);
        }
        if (head.TargetForm == RequestTargetForm.Absolute)
        {
            target = head.Target;
        }
        else if (tlsAuthority is not null && head.TargetForm == RequestTargetForm.Origin)
        {
            target = $"https://{tlsAuthority}{head.Target}";
        }
        else
        {
            await WriteTextAsync(exchange.Output, 400, "Not a proxy request", close: true, idle.Token);
            return false;
        }
        var requestBody = reader.ReadRequestBody(head);
        return await client.Handler.HandleAsync(exchange, target, requestBody, idle, client.Abort);
    }

    /// <summary>CONNECT: TLS interception on the intercepted ports, a tunnel to the origin on the others.</summary>
    private async Task ConnectAsync(HttpRequestHead head, HttpMessageReader reader, PipeWriter output, ProgressStream stream, string? tlsAuthority, CancellationToken abort)
    {
        _ = reader.ReadRequestBody(head); // a CONNECT has no body; positions the reader after the head
        if (tlsAuthority is not null || !RequestTarget.TryParseAuthority(head.Target, out var host, out var port) || port == 0)
        {
            await WriteTextAsync(output, 400, "CONNECT needs a host:port target (and is not allowed inside an intercepted session).", close: true, abort);
            return;
        }
        host = host.ToLowerInvariant();
        if (!_options.TlsInterceptPorts.Contains(port))
        {
            await Tunnel.RunAsync(client, host.Trim('[', ']'), port, reader, output, stream, abort);
            return;
        }
        output.Write("HTTP/1.1 200 Connection established\r\n\r\n"u8);
        await output.FlushAsync(abort);
        var input = reader.DetachInput();
        var leafHost = host.Trim('[', ']');
        var tls = new SslStream(new DuplexStream(input.AsStream(leaveOpen: true), stream), leaveInnerStreamOpen: true);
        try
        {
            using var handshake = new IdleTimeout(_options.BrowserKeepAliveTimeout, _options.TimeProvider, abort);
            await tls.AuthenticateAsServerAsync(
                (_, hello, _, _) => ValueTask.FromResult(new SslServerAuthenticationOptions
                {
                    // The leaf is for the name the browser checks (SNI); the target stays the CONNECT authority.
                    ServerCertificateContext = client.Leaves.Get(string.IsNullOrEmpty(hello.ServerName) ? leafHost : hello.ServerName),
                    ApplicationProtocols = [SslApplicationProtocol.Http11],
                }),
                null,
                handshake.Token);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            Log.InterceptionFailed(_logger, e.Message);
            await tls.DisposeAsync();
            await input.CompleteAsync();
            return;
        }
        var authority = port == 443 ? host : $"{host}:{port}";
        var inner = new ProgressStream(tls);
        var innerInput = PipeReader.Create(inner, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4 * 1024, leaveOpen: true));
        try
        {
            await ServeAsync(inner, innerInput, authority, fileSender: null, abort);
            try
            {
                await tls.ShutdownAsync();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
            }
        }
        finally
        {
            await innerInput.CompleteAsync();
            await tls.DisposeAsync();
            await input.CompleteAsync();
        }
    }

    internal static async ValueTask WriteTextAsync(PipeWriter output, int status, string message, bool close, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(message + "\n");
        var head = new HttpResponseHead(status);
        head.Fields.Add("Content-Type", "text/plain; charset=utf-8");
        head.Fields.Add("Content-Length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (close)
        {
            head.Fields.Add("Connection", "close");
        }
        HttpWriter.WriteResponseHead(output, head);
        output.Write(body);
        await output.FlushAsync(cancellationToken);
    }
}
