using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text;
using Ouinet.Http;
using Ouinet.Protocol;

namespace Ouinet.Client.Proxy;

/// <summary>
/// Requests to the proxy itself (origin-form). The real front-end comes later; until then <c>GET /</c> is a small page
/// and <c>GET /ca.pem</c> the CA certificate to install in the browser. Anything else is
/// <c>400 Not a proxy request</c>, as Ouinet C++ answers.
/// </summary>
internal static class FrontEnd
{
    public static async Task<bool> AnswerAsync(OuinetClient client, BrowserExchange exchange, bool keepAlive, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        var path = request.Target.Split('?')[0];
        HttpResponseHead head;
        byte[] body;
        if (request.Method is "GET" or "HEAD" && path == "/ca.pem")
        {
            head = new HttpResponseHead(200);
            head.Fields.Add("Content-Type", "application/x-x509-ca-cert");
            head.Fields.Add("Content-Disposition", "inline; filename=\"ouinet-ca.pem\"");
            body = Encoding.ASCII.GetBytes(client.CaCertificatePem);
        }
        else if (request.Method is "GET" or "HEAD" && path == "/")
        {
            head = new HttpResponseHead(200);
            head.Fields.Add("Content-Type", "text/html; charset=utf-8");
            var options = client.Options;
            body = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"""
                <!DOCTYPE html>
                <html><head><meta charset="utf-8"><title>Ouinet client</title></head><body>
                <h1>Ouinet client</h1>
                <p>To browse HTTPS sites through this client, install <a href="/ca.pem">its CA certificate</a> in your browser as an authority for web sites.</p>
                <ul>
                <li>Origin access: {On(!options.DisableOriginAccess)}</li>
                <li>Proxy access: {On(!options.DisableProxyAccess && options.Injector is not null)}</li>
                <li>Injector access: {On(!options.DisableInjectorAccess && options.Injector is not null)}</li>
                <li>Injector: {WebUtility.HtmlEncode(options.InjectorEndpoint ?? "none")}</li>
                <li>Local cache: {client.Cache?.Store.Count ?? 0} entries, {(client.Cache?.Store.TotalBytes ?? 0) / 1024} KiB</li>
                <li>Protocol version: {ProtocolVersion.Current}</li>
                </ul>
                </body></html>

                """));
        }
        else
        {
            head = new HttpResponseHead(400);
            head.Fields.Add("Content-Type", "text/plain; charset=utf-8");
            body = "Not a proxy request\n"u8.ToArray();
        }
        head.Fields.Add(OuinetHeaders.Source, "front-end");
        head.Fields.Add("Content-Length", body.Length.ToString(CultureInfo.InvariantCulture));
        var keep = keepAlive && exchange.KeepAlive;
        exchange.SetConnection(head, !keep);
        HttpWriter.WriteResponseHead(exchange.Output, head);
        if (!exchange.IsHead)
        {
            exchange.Output.Write(body);
        }
        await exchange.FlushAsync(cancellationToken);
        return keep;
    }

    private static string On(bool enabled) => enabled ? "enabled" : "disabled";
}
