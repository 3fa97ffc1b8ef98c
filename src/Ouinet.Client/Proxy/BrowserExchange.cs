using System.IO.Pipelines;
using Ouinet.Client.Responses;
using Ouinet.Http;

namespace Ouinet.Client.Proxy;

/// <summary>
/// The browser's side of one request: what it asked, where the answer goes, and whether its connection may carry
/// another request afterwards (HTTP/1.1 unless <c>Connection: close</c>; HTTP/1.0 only with <c>keep-alive</c>).
/// </summary>
public sealed class BrowserExchange
{
    public BrowserExchange(HttpRequestHead request, PipeWriter output)
    {
        Request = request;
        Output = output;
        KeepAlive = WantsKeepAlive(request);
    }

    public HttpRequestHead Request { get; }

    public PipeWriter Output { get; }

    /// <summary>Sends stored bodies straight from their files (plain TCP connections only; null through TLS).</summary>
    public IFileSender? FileSender { get; init; }

    /// <summary>The browser wants the connection kept open after this response.</summary>
    public bool KeepAlive { get; }

    public bool IsHead => Request.Method == "HEAD";

    /// <summary>Chunked framing is available (an HTTP/1.1 browser); HTTP/1.0 gets close-delimited bodies.</summary>
    public bool CanChunk => Request.Version == HttpProtocolVersion.Http11;

    /// <summary>Adds <c>Connection: close</c> when the connection ends after this response, <c>keep-alive</c> for an HTTP/1.0 browser otherwise.</summary>
    public void SetConnection(HttpResponseHead head, bool close)
    {
        ArgumentNullException.ThrowIfNull(head);
        head.Fields.Remove("Connection");
        if (close)
        {
            head.Fields.Add("Connection", "close");
        }
        else if (Request.Version == HttpProtocolVersion.Http10)
        {
            head.Fields.Add("Connection", "keep-alive");
        }
    }

    /// <summary>Flushes; a browser that went away is an <see cref="IOException"/>.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        var result = await Output.FlushAsync(cancellationToken);
        if (result.IsCanceled || result.IsCompleted)
        {
            throw new IOException("The browser connection is gone.");
        }
    }

    internal static bool WantsKeepAlive(HttpRequestHead head)
    {
        var keepAlive = false;
        foreach (var field in head.Fields)
        {
            if (!field.Name.Equals("Connection", StringComparison.OrdinalIgnoreCase) && !field.Name.Equals("Proxy-Connection", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            foreach (var range in field.Value.AsSpan().Split(','))
            {
                var token = field.Value.AsSpan()[range].Trim();
                if (token.Equals("close", StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }
                keepAlive |= token.Equals("keep-alive", StringComparison.OrdinalIgnoreCase);
            }
        }
        return head.Version == HttpProtocolVersion.Http11 || keepAlive;
    }
}
