using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Ouinet.Client.FrontEnd;

/// <summary>
/// Checks every front-end request before it reaches a route:
/// <list type="number">
/// <item>the <c>Host</c> must be the front-end's own (<c>localhost</c> or an IP literal, with its port): a page whose
/// domain was made to resolve to 127.0.0.1 (DNS rebinding) is refused with <c>403</c>;</item>
/// <item><c>frontend-credentials</c>, when set: HTTP Basic, else <c>401</c> with Ouinet's realm;</item>
/// <item>state changes only by POST, and every POST carries the <c>csrf</c> form field equal to the per-process token
/// (compared in constant time), else <c>403 csrf token missing or invalid</c>; other methods get <c>405</c>.</item>
/// </list>
/// It also sets the headers that keep the page out of frames and other sites' scripts.
/// </summary>
internal sealed class FrontEndGuard(FrontEndServer server)
{
    public const string Realm = "Ouinet client frontend";

    private readonly byte[]? _credentials = server.Client.Options.FrontEndCredentials is { } c ? Encoding.UTF8.GetBytes(c) : null;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var response = context.Response;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.XFrameOptions = "DENY";
        response.Headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.CacheControl = "no-store";
        var request = context.Request;
        if (!IsOwnHost(request.Host))
        {
            await FrontEndResults.WriteErrorAsync(context, 403, "Host not allowed: the front-end answers only to its own address (DNS-rebinding guard)");
            return;
        }
        if (_credentials is not null && !HasCredentials(request))
        {
            response.Headers.WWWAuthenticate = $"Basic realm=\"{Realm}\"";
            await FrontEndResults.WriteErrorAsync(context, 401, "Authentication required");
            return;
        }
        if (HttpMethods.IsPost(request.Method))
        {
            if (!await HasCsrfTokenAsync(request, context.RequestAborted))
            {
                await FrontEndResults.WriteErrorAsync(context, 403, "csrf token missing or invalid");
                return;
            }
        }
        else if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            response.Headers.Allow = "GET, HEAD, POST";
            await FrontEndResults.WriteErrorAsync(context, 405, "Only GET, HEAD and POST");
            return;
        }
        await next(context);
    }

    /// <summary><c>localhost</c> or an IP literal (never a domain name), on the front-end's port.</summary>
    private bool IsOwnHost(HostString host)
    {
        if (!host.HasValue)
        {
            return false;
        }
        var name = host.Host.Trim('[', ']');
        var isLocal = name.Equals("localhost", StringComparison.OrdinalIgnoreCase) || IPAddress.TryParse(name, out _);
        return isLocal && (host.Port ?? 80) == server.EndPoint.Port;
    }

    private bool HasCredentials(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        byte[] given;
        try
        {
            given = Convert.FromBase64String(header[6..].Trim());
        }
        catch (FormatException)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(given, _credentials);
    }

    private async Task<bool> HasCsrfTokenAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType)
        {
            return false;
        }
        var form = await request.ReadFormAsync(cancellationToken);
        var token = form["csrf"];
        return token.Count == 1 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token[0] ?? ""), Encoding.UTF8.GetBytes(server.CsrfToken));
    }
}
