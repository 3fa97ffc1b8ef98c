namespace Ouinet.Http;

/// <summary>How a request line names its target (RFC 9112 §3.2).</summary>
public enum RequestTargetForm
{
    /// <summary><c>/path?query</c>: to an origin server.</summary>
    Origin,
    /// <summary><c>http://host/path</c>: to a proxy.</summary>
    Absolute,
    /// <summary><c>host:port</c>: only with CONNECT.</summary>
    Authority,
    /// <summary><c>*</c>: only with OPTIONS.</summary>
    Asterisk,
}

/// <summary>A request line and its header fields.</summary>
public sealed class HttpRequestHead
{
    public HttpRequestHead(string method, string target, HttpProtocolVersion version = HttpProtocolVersion.Http11, HttpFields? fields = null)
    {
        Method = method;
        Target = target;
        Version = version;
        Fields = fields ?? new HttpFields();
    }

    public string Method { get; set; }

    public string Target { get; set; }

    public HttpProtocolVersion Version { get; set; }

    public HttpFields Fields { get; }

    public RequestTargetForm TargetForm => RequestTarget.FormOf(Method, Target);

    public override string ToString() => $"{Method} {Target} {(Version == HttpProtocolVersion.Http10 ? "HTTP/1.0" : "HTTP/1.1")}";
}
