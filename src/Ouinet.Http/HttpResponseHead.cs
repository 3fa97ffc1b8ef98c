namespace Ouinet.Http;

/// <summary>A status line and its header fields.</summary>
public sealed class HttpResponseHead
{
    public HttpResponseHead(int statusCode, string? reason = null, HttpProtocolVersion version = HttpProtocolVersion.Http11, HttpFields? fields = null)
    {
        StatusCode = statusCode;
        Reason = reason ?? ReasonPhrases.For(statusCode);
        Version = version;
        Fields = fields ?? new HttpFields();
    }

    public int StatusCode { get; set; }

    public string Reason { get; set; }

    public HttpProtocolVersion Version { get; set; }

    public HttpFields Fields { get; }

    public HttpResponseHead Clone() => new(StatusCode, Reason, Version, Fields.Clone());

    public override string ToString() => $"{(Version == HttpProtocolVersion.Http10 ? "HTTP/1.0" : "HTTP/1.1")} {StatusCode} {Reason}";
}
