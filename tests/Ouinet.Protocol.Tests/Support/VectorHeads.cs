using System.Text.Json;
using Ouinet.Http;

namespace Ouinet.Protocol.Tests.Support;

/// <summary>Heads and trailers of the vectors' message files, and the upstream ones.</summary>
internal static class VectorHeads
{
    public const long Ts = 1584748800;

    public static HttpResponseHead Head(string vector, string fileKey) => HeadText.ParseResponse(Manifest.File(vector, fileKey));

    public static HttpFields Trailer(string vector, string fileKey) => HeadText.ParseTrailer(Manifest.File(vector, fileKey));

    /// <summary>The injector head's fields followed by the stream's trailer fields: what Sig1 covers.</summary>
    public static HttpFields HeadAndTrailer(string vector, string fileKey = "injector_stream")
    {
        var fields = Head(vector, fileKey).Fields.Clone();
        foreach (var f in Trailer(vector, fileKey))
        {
            fields.Add(f.Name, f.Value);
        }
        return fields;
    }

    public static string[] Names(JsonElement element, string property) => element.String(property).Split(' ');

    public static byte[] Upstream(params string[] parts) => File.ReadAllBytes(TestPaths.Upstream(["protocol-6", .. parts]));

    public static JsonElement UpstreamVector() => JsonDocument.Parse(Upstream("vector.json")).RootElement;
}
