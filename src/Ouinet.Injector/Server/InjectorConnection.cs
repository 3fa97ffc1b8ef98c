using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Microsoft.Extensions.Logging;
using Ouinet.Http;
using Ouinet.Injector.Origin;
using Ouinet.Protocol;

namespace Ouinet.Injector;

/// <summary>
/// One client connection: reads requests one after another (keep-alive and pipelining: each is answered in full, in
/// order, before the next head is read) and dispatches each, in Ouinet C++'s order: requests to the injector itself
/// (origin-form, OPTIONS: <c>/api/ok</c>), then credentials, then CONNECT, then plain proxying (no
/// <c>X-Ouinet-Version</c>) or injection.
/// </summary>
#pragma warning disable CA1001 // The connection disposes what it owns at the end of RunAsync, which is its whole life.
internal sealed partial class InjectorConnection
#pragma warning restore CA1001
{
    private readonly InjectorServer _server;
    private readonly Socket? _socket;
    private readonly IInjectorStream? _stream;
    private readonly InjectorEndpointKind _kind;
    private readonly InjectorOptions _options;
    private readonly ILogger _logger;
    private SslStream? _tls;
    private ProgressStream _client = null!;
    private PipeWriter _output = null!;
    private HttpMessageReader _reader = null!;

    public InjectorConnection(InjectorServer server, Socket socket, InjectorEndpointKind kind)
    {
        _server = server;
        _socket = socket;
        _kind = kind;
        _options = server.Options;
        _logger = server.Logger;
    }

    /// <summary>A connection from a stream listener (an overlay flow): the same handling as TCP, TLS when <paramref name="tls"/>.</summary>
    public InjectorConnection(InjectorServer server, IInjectorStream stream, bool tls)
    {
        _server = server;
        _stream = stream;
        _kind = tls ? InjectorEndpointKind.TcpTls : InjectorEndpointKind.Tcp;
        _options = server.Options;
        _logger = server.Logger;
    }

    private OriginClient Origins => _server.Origins;

    public async Task RunAsync()
    {
        PipeReader? input = null;
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(_server.Stopping, _server.Abort);
        try
        {
            Stream transport;
            if (_socket is not null)
            {
                _socket.NoDelay = true;
                transport = new NetworkStream(_socket, ownsSocket: true);
            }
            else
            {
                transport = _stream!.Stream;
            }
            if (_kind == InjectorEndpointKind.TcpTls)
            {
                _tls = new SslStream(transport, leaveInnerStreamOpen: false);
                transport = _tls;
                using var handshake = new IdleTimeout(_options.FirstRequestTimeout, _options.TimeProvider, waiting.Token);
                await _tls.AuthenticateAsServerAsync(
                    new SslServerAuthenticationOptions
                    {
                        ServerCertificateContext = _server.TlsContext,
                        ApplicationProtocols = [SslApplicationProtocol.Http11],
                        ClientCertificateRequired = false,
                    },
                    handshake.Token);
            }
            _client = new ProgressStream(transport);
            input = PipeReader.Create(_client, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4 * 1024, leaveOpen: true));
            _output = PipeWriter.Create(_client, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024, leaveOpen: true));
            _reader = new HttpMessageReader(input, _options.Limits, leaveOpen: true);
            var first = true;
            // One arrival timer and one idle timer per connection, restarted for each request.
            using var arrival = new IdleTimeout(_options.FirstRequestTimeout, _options.TimeProvider, waiting.Token);
            using var idle = new IdleTimeout(_options.IdleTimeout, _options.TimeProvider, _server.Abort);
            idle.Pause();
            while (!_server.Stopping.IsCancellationRequested)
            {
                HttpRequestHead? head;
                try
                {
                    if (!arrival.Restart(first ? _options.FirstRequestTimeout : _options.NextRequestTimeout))
                    {
                        break;
                    }
                    _client.OnProgress = null;
                    head = await _reader.ReadRequestHeadAsync(arrival.Token);
                    arrival.Pause();
                }
                catch (HttpParseException e)
                {
                    Log.BadRequest(_logger, e.StatusCode, e.Message);
                    await WriteErrorAsync(e.StatusCode, null, e.Message, close: true, _server.Abort);
                    break;
                }
                if (head is null)
                {
                    break;
                }
                first = false;
                if (!idle.Restart(_options.IdleTimeout))
                {
                    break;
                }
                _client.OnProgress = idle.Reset;
                bool keepAlive;
                try
                {
                    keepAlive = await HandleAsync(head, idle);
                }
                catch (HttpParseException e) when (!e.IsFromServer())
                {
                    // The request body's framing was bad, before anything was sent for this request.
                    Log.BadRequest(_logger, e.StatusCode, e.Message);
                    await WriteErrorAsync(e.StatusCode, null, e.Message, close: true, _server.Abort);
                    break;
                }
                idle.Pause();
                if (!keepAlive)
                {
                    break;
                }
            }
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
            _client.OnProgress = null;
            if (_reader is not null)
            {
                await _reader.DisposeAsync();
            }
            if (input is not null)
            {
                await input.CompleteAsync();
            }
            if (_output is not null)
            {
                await _output.CompleteAsync();
            }
            try
            {
                if (_client is not null)
                {
                    await _client.DisposeAsync();
                }
                else
                {
                    _tls?.Dispose();
                }
            }
            catch (IOException)
            {
            }
            _socket?.Dispose();
            if (_stream is not null)
            {
                await _stream.Stream.DisposeAsync();
            }
        }
    }

    /// <summary>Answers one request; returns whether the connection may carry another.</summary>
    private async Task<bool> HandleAsync(HttpRequestHead head, IdleTimeout idle)
    {
        var keepAlive = WantsKeepAlive(head);
        var hasBody = HasBody(head);
        var isPlainProxy = head.TargetForm == RequestTargetForm.Absolute && head.Method != "OPTIONS" && !head.Fields.Contains(OuinetHeaders.Version);
        HttpBodyReader? body = null;
        if (!hasBody || isPlainProxy)
        {
            // Positions the reader after this request (an empty body), or, for proxying, the body to stream on.
            body = _reader.ReadRequestBody(head);
        }
        if (head.TargetForm is RequestTargetForm.Origin or RequestTargetForm.Asterisk || head.Method == "OPTIONS")
        {
            return await HandleOwnAsync(head, keepAlive && !hasBody);
        }
        if (_server.Credentials is { } credentials && !credentials.Accepts(head.Fields.Get("Proxy-Authorization")))
        {
            // Nothing is fetched; a body we did not read means the connection cannot go on.
            Log.Refused(_logger, 407, "missing or wrong Proxy-Authorization");
            var fields = new HttpFields();
            fields.Add("Proxy-Authenticate", "Basic realm=\"Ouinet injector\"");
            await WriteResponseAsync(407, fields, "Proxy authentication required.", close: !keepAlive || hasBody, _server.Abort);
            return keepAlive && !hasBody;
        }
        if (head.Method == "CONNECT")
        {
            LogRequest("CONNECT", head);
            return await TunnelAsync(head, keepAlive && !hasBody, idle);
        }
        var version = head.Fields.Get(OuinetHeaders.Version);
        if (version is null)
        {
            LogRequest("Proxy", head);
            if (_options.IsProxyDisabled)
            {
                return await RefuseAsync(403, InjectorErrorCode.ProxyDisabled, "This injector does not proxy: only injection requests (with X-Ouinet-Version) are served.", keepAlive && !hasBody, idle);
            }
            return await ProxyAsync(head, body!, keepAlive, idle);
        }
        LogRequest("Injection", head);
        return await InjectAsync(head, version, keepAlive && !hasBody, hasBody, idle);
    }

    /// <summary>Requests to the injector itself: only <c>GET /api/ok</c> exists (no credentials needed, for monitors).</summary>
    private async Task<bool> HandleOwnAsync(HttpRequestHead head, bool keepAlive)
    {
        if (head.Method == "GET" && head.Target == "/api/ok")
        {
            var fields = new HttpFields();
            fields.Add("Server", "Ouinet.Injector");
            fields.Add("Content-Type", "text/plain");
            fields.Add("Content-Length", "0");
            if (!keepAlive)
            {
                fields.Add("Connection", "close");
            }
            HttpWriter.WriteResponseHead(_output, new HttpResponseHead(200, null, HttpProtocolVersion.Http11, fields));
            await FlushAsync(_server.Abort);
            return keepAlive;
        }
        await WriteResponseAsync(404, null, "Unknown injector request.", !keepAlive, _server.Abort);
        return keepAlive;
    }

    /// <summary>An error from the injector: <c>X-Ouinet-Version</c> and <c>X-Ouinet-Error</c>, text body, never signed.</summary>
    private async Task<bool> RefuseAsync(int status, InjectorErrorCode code, string message, bool keepAlive, IdleTimeout idle, string? version = null)
    {
        Log.Refused(_logger, status, message);
        await WriteErrorAsync(status, code, message, !keepAlive, _server.Abort, version);
        return keepAlive;
    }

    private async Task<bool> OriginFailedAsync(OriginException e, bool keepAlive, IdleTimeout idle)
    {
        Log.OriginFailed(_logger, e.Error, e.Message);
        var (status, code) = e.Error switch
        {
            OriginError.TargetNotAllowed => (403, InjectorErrorCode.TargetNotAllowed),
            OriginError.ConnectTimeout or OriginError.Timeout => (504, InjectorErrorCode.RetrievalFailed),
            _ => (502, InjectorErrorCode.RetrievalFailed),
        };
        await WriteErrorAsync(status, code, e.Message, !keepAlive, _server.Abort);
        return keepAlive;
    }

    private ValueTask WriteErrorAsync(int status, InjectorErrorCode? code, string message, bool close, CancellationToken cancellationToken, string? version = null)
    {
        var fields = new HttpFields();
        if (code is { } c)
        {
            fields.Add(OuinetHeaders.Version, version ?? _options.Version.ToString());
            fields.Add(OuinetHeaders.Error, InjectorErrorCodes.Format(c));
        }
        return WriteResponseAsync(status, fields, message, close, cancellationToken);
    }

    private async ValueTask WriteResponseAsync(int status, HttpFields? fields, string message, bool close, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(message + "\n");
        var head = new HttpResponseHead(status, null, HttpProtocolVersion.Http11, fields ?? new HttpFields());
        head.Fields.Add("Content-Type", "text/plain; charset=utf-8");
        head.Fields.Add("Content-Length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (close)
        {
            head.Fields.Add("Connection", "close");
        }
        HttpWriter.WriteResponseHead(_output, head);
        _output.Write(body);
        await FlushAsync(cancellationToken);
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        var result = await _output.FlushAsync(cancellationToken);
        if (result.IsCanceled || result.IsCompleted)
        {
            throw new IOException("The client connection is gone.");
        }
    }

    private void LogRequest(string kind, HttpRequestHead head)
    {
        if (!_logger.IsEnabled(LogLevel.Debug))
        {
            return;
        }
        if (_options.LogTargets)
        {
            Log.Request(_logger, kind, head.Method, head.Target);
        }
        else
        {
            Log.RequestNoTarget(_logger, kind, head.Method);
        }
    }

    /// <summary>HTTP/1.1 unless <c>Connection: close</c>; HTTP/1.0 only with <c>Connection: keep-alive</c>.</summary>
    private static bool WantsKeepAlive(HttpRequestHead head)
    {
        if (OriginClient.HasCloseToken(head.Fields))
        {
            return false;
        }
        if (head.Version == HttpProtocolVersion.Http11)
        {
            return true;
        }
        return head.Fields.GetAll("Connection").Any(v => v.Split(',').Any(t => t.Trim().Equals("keep-alive", StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>Whether a request body may follow the head (any Transfer-Encoding, or a Content-Length other than 0).</summary>
    private static bool HasBody(HttpRequestHead head) =>
        head.Fields.Contains("Transfer-Encoding") || (head.Fields.Get("Content-Length") is { } length && length.Trim() != "0");
}

internal static class HttpParseExceptionExtensions
{
    /// <summary>Parse errors in an origin's response carry 502; a client's carry 4xx/5xx other than 502.</summary>
    public static bool IsFromServer(this HttpParseException e) => e.StatusCode == 502;
}
