using System.Buffers;
using FsCheck;
using FsCheck.Fluent;

namespace Ouinet.Http.Tests;

/// <summary>A chunk as generated: its bytes and the extensions on its chunk-size line.</summary>
public sealed record ChunkCase(byte[] Data, ChunkExtension[] Extensions);

/// <summary>A chunked response: head, chunks, last-chunk extensions and trailers, and its bytes as HttpWriter writes them.</summary>
public sealed record ChunkedCase(HttpResponseHead Head, ChunkCase[] Chunks, ChunkExtension[] LastExtensions, HttpFields Trailers)
{
    public byte[] Bytes => Wire.Written(w =>
    {
        HttpWriter.WriteResponseHead(w, Head);
        foreach (var c in Chunks)
        {
            HttpWriter.WriteChunkHeader(w, c.Data.Length, c.Extensions);
            w.Write<byte>(c.Data);
            HttpWriter.WriteChunkEnd(w);
        }
        HttpWriter.WriteLastChunk(w, LastExtensions, Trailers);
    });

    public override string ToString() => Wire.Text(Bytes).Replace("\r\n", "\\r\\n\n", StringComparison.Ordinal);
}

public sealed record RequestCase(HttpRequestHead Head, byte[] Body)
{
    public byte[] Bytes => Wire.Concat(Wire.Written(w => HttpWriter.WriteRequestHead(w, Head)), Body);

    public override string ToString() => Wire.Text(Bytes).Replace("\r\n", "\\r\\n\n", StringComparison.Ordinal);
}

public sealed record ResponseCase(HttpResponseHead Head)
{
    public byte[] Bytes => Wire.Written(w => HttpWriter.WriteResponseHead(w, Head));

    public override string ToString() => Wire.Text(Bytes).Replace("\r\n", "\\r\\n\n", StringComparison.Ordinal);
}

/// <summary>FsCheck generators for valid HTTP/1.1 messages, including Ouinet-style base64 extension values.</summary>
public static class HttpGenerators
{
    private const string TokenChars = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private const string Base64Chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
    private static readonly string[] FramingNames = ["host", "content-length", "transfer-encoding"];

    public static Arbitrary<RequestCase> Requests() => Arb.From(Request);

    public static Arbitrary<ResponseCase> Responses() => Arb.From(ResponseHead.Select(h => new ResponseCase(h)));

    public static Arbitrary<ChunkedCase> ChunkedResponses() => Arb.From(Chunked);

    public static Arbitrary<ChunkExtension> Extensions() => Arb.From(Extension);

    private static Gen<string> StringOf(Gen<char> chars, int min, int max) =>
        Gen.Choose(min, max).SelectMany(n => Gen.ArrayOf(chars, n)).Select(a => new string(a));

    private static Gen<string> Token(int max) => StringOf(Gen.Elements(TokenChars.ToCharArray()), 1, max);

    /// <summary>VCHAR mostly, some SP/HTAB and obs-text: every character a field value, reason or quoted-string may hold.</summary>
    private static readonly Gen<char> ValueChar = Gen.Frequency(
        (8, Gen.Choose(0x21, 0x7e).Select(i => (char)i)),
        (2, Gen.Elements(' ', '\t')),
        (1, Gen.Choose(0x80, 0xff).Select(i => (char)i)));

    private static readonly Gen<string> FieldValue = StringOf(ValueChar, 0, 40).Select(s => s.Trim(' ', '\t'));

    private static readonly Gen<HttpField> Field =
        Token(16).Where(n => !FramingNames.Contains(n, StringComparer.OrdinalIgnoreCase))
            .SelectMany(name => FieldValue.Select(value => new HttpField(name, value)));

    private static Gen<HttpFields> Fields(int max) =>
        Gen.Choose(0, max).SelectMany(n => Gen.ArrayOf(Field, n)).Select(fs => new HttpFields(fs));

    private static readonly Gen<HttpProtocolVersion> Version = Gen.Elements(HttpProtocolVersion.Http10, HttpProtocolVersion.Http11);

    private static readonly Gen<string> HostName =
        StringOf(Gen.Elements("abcdefghijklmnopqrstuvwxyz0123456789-.".ToCharArray()), 1, 20);

    private static readonly Gen<(string Method, string Target)> RequestLine = Gen.Frequency(
        (6, Token(10).Where(m => m != "CONNECT")
            .SelectMany(m => StringOf(Gen.Choose(0x21, 0x7e).Select(i => (char)i), 0, 30).Select(p => (m, "/" + p)))),
        (1, HostName.Select(h => ("GET", $"http://{h}/x?y"))),
        (1, HostName.SelectMany(h => Gen.Choose(0, 65535).Select(p => ("CONNECT", $"{h}:{p}")))),
        (1, Gen.Constant(("OPTIONS", "*"))));

    private static readonly Gen<RequestCase> Request =
        from line in RequestLine
        from version in Version
        from host in HostName
        from fields in Fields(8)
        from hostAt in Gen.Choose(0, fields.Count)
        from body in Gen.ArrayOf(Gen.Choose(0, 255).Select(i => (byte)i), 0).Or(Gen.Choose(1, 64).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(i => (byte)i), n)))
        select MakeRequest(line.Method, line.Target, version, host, fields, hostAt, body);

    private static RequestCase MakeRequest(string method, string target, HttpProtocolVersion version, string host, HttpFields fields, int hostAt, byte[] body)
    {
        var all = fields.ToList();
        all.Insert(hostAt, new HttpField("Host", host));
        if (body.Length > 0)
        {
            all.Add(new HttpField("Content-Length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        return new RequestCase(new HttpRequestHead(method, target, version, new HttpFields(all)), body);
    }

    private static readonly Gen<HttpResponseHead> ResponseHead =
        from status in Gen.Choose(100, 999)
        from reason in StringOf(ValueChar, 0, 30)
        from version in Version
        from fields in Fields(10)
        select new HttpResponseHead(status, reason, version, fields);

    /// <summary>Values as Ouinet writes them (base64 with <c>+/=</c>), with characters needing escapes, empty, or none.</summary>
    private static readonly Gen<string?> ExtensionValue = Gen.Frequency(
        (3, StringOf(Gen.Elements(Base64Chars.ToCharArray()), 1, 88).Select(s => (string?)s)),
        (2, StringOf(Gen.Frequency((6, ValueChar), (1, Gen.Elements('"', '\\', ';', '='))), 0, 30).Select(s => (string?)s)),
        (1, Gen.Constant((string?)null)));

    private static readonly Gen<ChunkExtension> Extension =
        Token(10).SelectMany(name => ExtensionValue.Select(value => new ChunkExtension(name, value)));

    private static Gen<ChunkExtension[]> ExtensionList(int max) => Gen.Choose(0, max).SelectMany(n => Gen.ArrayOf(Extension, n));

    private static readonly Gen<ChunkCase> Chunk =
        from size in Gen.Frequency((4, Gen.Choose(1, 16)), (1, Gen.Choose(17, 600)))
        from data in Gen.ArrayOf(Gen.Choose(0, 255).Select(i => (byte)i), size)
        from ext in ExtensionList(3)
        select new ChunkCase(data, ext);

    private static readonly Gen<ChunkedCase> Chunked =
        from head in ResponseHead.Where(h => h.StatusCode is >= 200 and not 204 and not 304)
        from chunks in Gen.Choose(0, 6).SelectMany(n => Gen.ArrayOf(Chunk, n))
        from last in ExtensionList(3)
        from trailers in Fields(5)
        select new ChunkedCase(WithChunked(head), chunks, last, trailers);

    private static HttpResponseHead WithChunked(HttpResponseHead head)
    {
        var h = new HttpResponseHead(head.StatusCode, head.Reason, HttpProtocolVersion.Http11, head.Fields.Clone());
        h.Fields.Add("Transfer-Encoding", "chunked");
        return h;
    }
}
