using System.Globalization;

namespace Ouinet.Protocol;

/// <summary>Names of the header fields the Ouinet protocol reads and writes. Field names compare case-insensitively.</summary>
public static class OuinetHeaders
{
    /// <summary>Every Ouinet field starts with this; an injector strips origin fields that do.</summary>
    public const string Prefix = "X-Ouinet-";

    /// <summary>Protocol version of a request or a cache entry.</summary>
    public const string Version = "X-Ouinet-Version";

    /// <summary>The URI a cache entry is for.</summary>
    public const string Uri = "X-Ouinet-URI";

    /// <summary><c>id=&lt;injection id&gt;,ts=&lt;unix seconds&gt;</c>.</summary>
    public const string Injection = "X-Ouinet-Injection";

    /// <summary>Block signature parameters: key, algorithm, block size.</summary>
    public const string BlockSignatures = "X-Ouinet-BSigs";

    /// <summary>Prefix of the numbered signature fields <c>X-Ouinet-Sig0</c>, <c>X-Ouinet-Sig1</c>, ...</summary>
    public const string SignaturePrefix = "X-Ouinet-Sig";

    /// <summary>The header signature, made before the body is known.</summary>
    public const string Sig0 = "X-Ouinet-Sig0";

    /// <summary>The full signature, over the head and the trailer (<c>Digest</c>, data size).</summary>
    public const string Sig1 = "X-Ouinet-Sig1";

    /// <summary>Length of the complete body in bytes.</summary>
    public const string DataSize = "X-Ouinet-Data-Size";

    /// <summary>In a 206 response: the status the signature was made over.</summary>
    public const string HttpStatus = "X-Ouinet-HTTP-Status";

    /// <summary><c>&lt;code&gt; &lt;text&gt;</c>, from the injector or client on failure.</summary>
    public const string Error = "X-Ouinet-Error";

    /// <summary>Client to user agent: which mechanism gave the response.</summary>
    public const string Source = "X-Ouinet-Source";

    /// <summary>User agent to client: the resource group (DHT announcement name).</summary>
    public const string Group = "X-Ouinet-Group";

    /// <summary>User agent to client: <c>true</c> to avoid mechanisms that reveal the request to others.</summary>
    public const string Private = "X-Ouinet-Private";

    /// <summary>Client to user agent: a newer protocol version was seen.</summary>
    public const string Warning = "X-Ouinet-Warning";

    /// <summary>Client to injector: a device identifier for statistics.</summary>
    public const string Druid = "X-Ouinet-DRUID";

    /// <summary>Not an Ouinet field, but part of every signed entry: <c>SHA-256=&lt;base64&gt;</c> of the body.</summary>
    public const string Digest = "Digest";

    /// <summary>The injector's <c>Trailer</c> value, in the C++ order (C5d).</summary>
    public const string InjectorTrailer = DataSize + ", " + Digest + ", " + Sig1;

    /// <summary>The name of signature field number <paramref name="index"/> (<c>X-Ouinet-Sig&lt;index&gt;</c>).</summary>
    public static string Signature(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return SignaturePrefix + index.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Whether <paramref name="name"/> starts with <c>X-Ouinet-</c> (any case).</summary>
    public static bool IsOuinetField(string name) => name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="name"/> is <c>X-Ouinet-Sig&lt;digits&gt;</c> (any case).</summary>
    public static bool IsSignatureField(string name) =>
        name.Length > SignaturePrefix.Length
        && name.StartsWith(SignaturePrefix, StringComparison.OrdinalIgnoreCase)
        && !name.AsSpan(SignaturePrefix.Length).ContainsAnyExceptInRange('0', '9');
}
