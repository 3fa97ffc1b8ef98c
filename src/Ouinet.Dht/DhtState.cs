using System.Globalization;
using System.Net;
using System.Text.Json;
using Ouinet.Dht.Messages;

namespace Ouinet.Dht;

/// <summary>
/// What a node keeps across restarts in <c>&lt;repository&gt;/dht/</c>: its ID (so it returns to the same place in the
/// keyspace, where it holds others' peers) and its good contacts (so it rejoins without the routers, as Ouinet's
/// <c>stored_peers</c> does). A JSON file, replaced atomically; an unreadable one is ignored, not fatal.
/// </summary>
public sealed record DhtState(NodeId NodeId, IReadOnlyList<NodeInfo> Nodes)
{
    public const string DirectoryName = "dht";
    public const string FileName = "dht-state.json";

    /// <summary>Contacts saved at most (the closest and freshest of a routing table fit easily).</summary>
    public const int MaxNodes = 400;

    private const int MaxFileBytes = 256 * 1024;

    public static string PathIn(string repository) => Path.Combine(repository, DirectoryName, FileName);

    public async Task SaveAsync(string repository, CancellationToken cancellationToken)
    {
        var path = PathIn(repository);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 4096, useAsync: true))
        await using (var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("node_id", NodeId.ToString());
            json.WriteStartArray("nodes");
            foreach (var node in Nodes.Take(MaxNodes))
            {
                json.WriteStartObject();
                json.WriteString("id", node.Id.ToString());
                json.WriteString("endpoint", node.EndPoint.ToString());
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
            await json.FlushAsync(cancellationToken);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads the saved state; null when there is none. A malformed file gives null and a reason.</summary>
    public static async Task<(DhtState? State, string? Error)> LoadAsync(string repository, CancellationToken cancellationToken)
    {
        var path = PathIn(repository);
        if (!File.Exists(path))
        {
            return (null, null);
        }
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (info.Length > MaxFileBytes)
            {
                return (null, $"larger than {MaxFileBytes} bytes");
            }
            bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (IOException e)
        {
            return (null, e.Message);
        }
        return Parse(bytes);
    }

    /// <summary>Parses the JSON form; unknown fields are ignored, bad entries skipped.</summary>
    public static (DhtState? State, string? Error) Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("node_id", out var idElement)
                || idElement.ValueKind != JsonValueKind.String
                || !NodeId.TryParse(idElement.GetString(), out var id))
            {
                return (null, "no valid node_id");
            }
            var nodes = new List<NodeInfo>();
            if (root.TryGetProperty("nodes", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var entry in list.EnumerateArray())
                {
                    if (nodes.Count >= MaxNodes)
                    {
                        break;
                    }
                    if (entry.ValueKind == JsonValueKind.Object
                        && entry.TryGetProperty("id", out var nodeId) && nodeId.ValueKind == JsonValueKind.String
                        && NodeId.TryParse(nodeId.GetString(), out var parsedId)
                        && entry.TryGetProperty("endpoint", out var endPoint) && endPoint.ValueKind == JsonValueKind.String
                        && IPEndPoint.TryParse(endPoint.GetString() ?? "", out var parsedEndPoint)
                        && parsedEndPoint.Port != 0)
                    {
                        nodes.Add(new NodeInfo(parsedId, parsedEndPoint));
                    }
                }
            }
            return (new DhtState(id, nodes), null);
        }
        catch (JsonException e)
        {
            return (null, string.Create(CultureInfo.InvariantCulture, $"not JSON: {e.Message}"));
        }
        catch (InvalidOperationException e)
        {
            // GetString on a string holding invalid UTF-8 (found by the fuzzer).
            return (null, e.Message);
        }
    }
}
