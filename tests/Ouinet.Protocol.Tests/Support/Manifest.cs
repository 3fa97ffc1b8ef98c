using System.Text.Json;

namespace Ouinet.Protocol.Tests.Support;

/// <summary>The test vectors' <c>manifest.json</c>, which holds the authoritative expected values.</summary>
internal static class Manifest
{
    private static readonly Lazy<JsonDocument> Document = new(() => JsonDocument.Parse(System.IO.File.ReadAllBytes(TestPaths.Vector("manifest.json"))));

    public static JsonElement Root => Document.Value.RootElement;

    /// <summary>The names of the five vectors (hello, big, empty, redirect, aligned).</summary>
    public static TheoryData<string> VectorNames
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var v in Root.GetProperty("vectors").EnumerateArray())
            {
                data.Add(v.GetProperty("name").GetString()!);
            }
            return data;
        }
    }

    /// <summary>(vector name, block index) for every block of every vector.</summary>
    public static TheoryData<string, int> Blocks
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (var v in Root.GetProperty("vectors").EnumerateArray())
            {
                foreach (var b in v.GetProperty("blocks").EnumerateArray())
                {
                    data.Add(v.GetProperty("name").GetString()!, b.GetProperty("index").GetInt32());
                }
            }
            return data;
        }
    }

    public static JsonElement Vector(string name) =>
        Root.GetProperty("vectors").EnumerateArray().Single(v => v.GetProperty("name").GetString() == name);

    public static string String(this JsonElement element, string property) => element.GetProperty(property).GetString()!;

    /// <summary>A file of a vector, by its key in the vector's <c>files</c> map (e.g. <c>injector_head</c>).</summary>
    public static byte[] File(string vector, string fileKey) =>
        System.IO.File.ReadAllBytes(TestPaths.Vector(Vector(vector).GetProperty("files").String(fileKey).Split('/')));
}
