using Ouinet.Client.Routing;
using Ouinet.Http;
using Ouinet.Protocol;

namespace Ouinet.Client.Responses;

/// <summary>
/// Shapes a head for the browser: Ouinet's signature and transport fields are the client's business, not the
/// browser's, so they are stripped; the browser learns where the answer came from (<c>X-Ouinet-Source</c>), which
/// protocol we speak (<c>X-Ouinet-Version</c>) and, for cached content, which injection it is (<c>X-Ouinet-Injection</c>).
/// </summary>
public static class BrowserHead
{
    /// <summary>Fields that only make sense between Ouinet nodes.</summary>
    private static readonly HashSet<string> OuinetOnly = new(StringComparer.OrdinalIgnoreCase)
    {
        OuinetHeaders.Sig0, OuinetHeaders.Sig1, OuinetHeaders.BlockSignatures, OuinetHeaders.DataSize,
        OuinetHeaders.HttpStatus, OuinetHeaders.Uri, "Transfer-Encoding", "Trailer", "Content-Length", "Connection", "Keep-Alive",
    };

    /// <summary>
    /// A browser head from a signed one (verified or stored): status and origin fields kept, Ouinet signature fields
    /// removed, <c>X-Ouinet-Version</c>, <c>X-Ouinet-Injection</c> kept, <c>X-Ouinet-Source</c> set. Framing is the
    /// caller's: it adds <c>Content-Length</c> or <c>Transfer-Encoding</c>.
    /// </summary>
    public static HttpResponseHead FromSigned(HttpResponseHead signed, Mechanism source, int? status = null)
    {
        ArgumentNullException.ThrowIfNull(signed);
        var statusCode = status ?? signed.StatusCode;
        var head = new HttpResponseHead(statusCode, statusCode == signed.StatusCode ? signed.Reason : null);
        foreach (var field in signed.Fields)
        {
            if (!OuinetOnly.Contains(field.Name) && !field.Name.StartsWith(OuinetHeaders.SignaturePrefix, StringComparison.OrdinalIgnoreCase)
                && !field.Name.Equals(OuinetHeaders.Source, StringComparison.OrdinalIgnoreCase))
            {
                head.Fields.Add(field.Name, field.Value);
            }
        }
        head.Fields.Set(OuinetHeaders.Version, ProtocolVersion.Current.ToString());
        head.Fields.Set(OuinetHeaders.Source, source.Source());
        return head;
    }

    /// <summary>An error page head: <c>X-Ouinet-Error</c> with Ouinet's code and text, never cached by the browser.</summary>
    public static HttpResponseHead Error(int status, int code, string text)
    {
        var head = new HttpResponseHead(status);
        head.Fields.Add(OuinetHeaders.Version, ProtocolVersion.Current.ToString());
        head.Fields.Add(OuinetHeaders.Error, $"{code} {text}");
        head.Fields.Add("Content-Type", "text/plain; charset=utf-8");
        head.Fields.Add("Cache-Control", "no-store");
        return head;
    }
}
