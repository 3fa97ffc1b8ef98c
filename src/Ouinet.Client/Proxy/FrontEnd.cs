using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using Ouinet.Client.FrontEnd;
using Ouinet.Http;
using Ouinet.Injector;
using Ouinet.Protocol;

namespace Ouinet.Client.Proxy;

/// <summary>
/// The front-end through the proxy, as Ouinet offers it: origin-form requests to the proxy, and proxied requests for
/// <c>http://localhost/…</c>, are relayed to the front-end server and answered with <c>X-Ouinet-Source: front-end</c>
/// and <c>Connection: close</c>. The <c>Host</c> must be <c>localhost</c> or an IP literal (a page whose domain was
/// rebound to 127.0.0.1 must not reach the front-end through the proxy port either). Without a front-end
/// (<c>front-end-ep</c> off) only <c>/ca.pem</c> is served; anything else is <c>400 Not a proxy request</c>, as Ouinet C++ answers.
/// </summary>
internal static class FrontEnd
{
    /// <summary>Whether an absolute-form target is for the front-end: <c>http://localhost/…</c> (no other port).</summary>
    public static bool IsFrontEndTarget(HttpRequestHead head) =>
        head.TargetForm == RequestTargetForm.Absolute && TargetUri.TryParse(head.Target, out var uri) && !uri.Tls && uri.Port == 80
        && uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase);

    public static async Task<bool> AnswerAsync(OuinetClient client, BrowserExchange exchange, HttpBodyReader body, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        var pathAndQuery = request.TargetForm == RequestTargetForm.Absolute && TargetUri.TryParse(request.Target, out var uri) ? uri.PathAndQuery : request.Target;
        if (!IsLocalHost(request.Fields.Get("Host")))
        {
            await WriteAsync(exchange, 403, "text/plain; charset=utf-8", "Host not allowed: the front-end answers only to localhost or an IP address\n"u8.ToArray(), cancellationToken);
            return false;
        }
        if (client.FrontEnd is { } server)
        {
            await RelayAsync(server, exchange, pathAndQuery, body, cancellationToken);
            return false;
        }
        if (request.Method is "GET" or "HEAD" && pathAndQuery.Split('?')[0] == "/ca.pem")
        {
            await WriteAsync(exchange, 200, "application/x-x509-ca-cert", Encoding.ASCII.GetBytes(client.CaCertificatePem), cancellationToken);
            return false;
        }
        await WriteAsync(exchange, 400, "text/plain; charset=utf-8", "Not a proxy request\n"u8.ToArray(), cancellationToken);
        return false;
    }

    private static bool IsLocalHost(string? host)
    {
        if (string.IsNullOrEmpty(host))
        {
            return false;
        }
        var end = host.StartsWith('[') ? host.IndexOf(']', StringComparison.Ordinal) + 1 : host.IndexOf(':', StringComparison.Ordinal);
        var name = (end > 0 ? host[..end] : host).Trim('[', ']');
        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase) || IPAddress.TryParse(name, out _);
    }

    private static async Task RelayAsync(FrontEndServer server, BrowserExchange exchange, string pathAndQuery, HttpBodyReader body, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), $"http://{server.Authority}{pathAndQuery}");
        var content = await ReadBodyAsync(body, FrontEndServer.MaxRequestBody, cancellationToken);
        if (content is null)
        {
            await WriteAsync(exchange, 413, "text/plain; charset=utf-8", "Request body too large for the front-end\n"u8.ToArray(), cancellationToken);
            return;
        }
        if (content.Length > 0)
        {
            message.Content = new ByteArrayContent(content);
        }
        foreach (var field in HopByHop.Strip(request.Fields, "Host", "Content-Length", "Expect"))
        {
            if (field.Name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
            {
                message.Content?.Headers.TryAddWithoutValidation(field.Name, field.Value);
            }
            else
            {
                message.Headers.TryAddWithoutValidation(field.Name, field.Value);
            }
        }
        using var response = await server.RelayClient.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var head = new HttpResponseHead((int)response.StatusCode);
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (name is not ("Connection" or "Transfer-Encoding" or "Content-Length" or "Keep-Alive"))
            {
                foreach (var value in values)
                {
                    head.Fields.Add(name, value);
                }
            }
        }
        head.Fields.Add(OuinetHeaders.Source, "front-end");
        exchange.SetConnection(head, close: true);
        HttpWriter.WriteResponseHead(exchange.Output, head);
        if (!exchange.IsHead)
        {
            // Close-delimited: the front-end's bodies (the log file) are streamed without knowing their length.
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            await stream.CopyToAsync(exchange.Output, cancellationToken);
        }
        await exchange.FlushAsync(cancellationToken);
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpBodyReader body, long limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        while (!body.IsCompleted)
        {
            var part = await body.ReadAsync(cancellationToken);
            if (part.Kind == HttpBodyPartKind.End)
            {
                break;
            }
            if (part.Kind != HttpBodyPartKind.Data)
            {
                continue;
            }
            if (buffer.Length + part.Data.Length > limit)
            {
                return null;
            }
            foreach (var segment in part.Data)
            {
                buffer.Write(segment.Span);
            }
        }
        return buffer.ToArray();
    }

    private static async Task WriteAsync(BrowserExchange exchange, int status, string contentType, byte[] body, CancellationToken cancellationToken)
    {
        var head = new HttpResponseHead(status);
        head.Fields.Add("Content-Type", contentType);
        head.Fields.Add(OuinetHeaders.Source, "front-end");
        head.Fields.Add("Content-Length", body.Length.ToString(CultureInfo.InvariantCulture));
        exchange.SetConnection(head, close: true);
        HttpWriter.WriteResponseHead(exchange.Output, head);
        if (!exchange.IsHead)
        {
            exchange.Output.Write(body);
        }
        await exchange.FlushAsync(cancellationToken);
    }
}
