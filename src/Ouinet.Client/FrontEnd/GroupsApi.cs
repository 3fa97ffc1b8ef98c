using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Ouinet.Cache.Storage;

namespace Ouinet.Client.FrontEnd;

/// <summary>
/// Ouinet's group API over the local store's <c>dht_groups</c> (the groups this client has entries for, which the
/// distributed cache announces): <c>/api/groups</c>, <c>/api/groups/pinned</c> (optionally <c>?name=</c>), and
/// <c>/api/groups/pin</c>, <c>/api/groups/unpin</c> — POST only, with the CSRF token, <c>name</c> in the query or the form.
/// A pinned group is kept by "purge cache".
/// </summary>
internal static class GroupsApi
{
    public static IReadOnlyList<string> Groups(OuinetClient client) => client.Cache?.Store.Groups.Groups() ?? [];

    public static IReadOnlyList<string> Pinned(OuinetClient client) =>
        client.Cache?.Store.Groups is { } groups ? [.. groups.Groups().Where(groups.IsPinned)] : [];

    public static void Map(IEndpointRouteBuilder app, OuinetClient client)
    {
        app.MapGet("/api/groups", () => FrontEndResults.Json(new JsonObject { ["groups"] = Array(Groups(client)) }));
        app.MapGet("/api/groups/pinned", (HttpContext context) =>
        {
            if (context.Request.Query.ContainsKey("name"))
            {
                if (Name(context) is not { } name)
                {
                    return FrontEndResults.Error(400, "name: give one non-empty group name");
                }
                return FrontEndResults.Json(new JsonObject { ["name"] = name, ["pinned"] = client.Cache?.Store.Groups.IsPinned(name) ?? false });
            }
            return FrontEndResults.Json(new JsonObject { ["pinned_groups"] = Array(Pinned(client)) });
        });
        app.MapPost("/api/groups/pin", (HttpContext context) => SetPinned(context, client, pinned: true));
        app.MapPost("/api/groups/unpin", (HttpContext context) => SetPinned(context, client, pinned: false));
    }

    private static IResult SetPinned(HttpContext context, OuinetClient client, bool pinned)
    {
        if (Name(context) is not { } name)
        {
            return FrontEndResults.Error(400, "name: give one non-empty group name");
        }
        if (client.Cache?.Store.Groups is not { } groups)
        {
            return FrontEndResults.Error(404, "no local cache (cache-http-public-key is not set)");
        }
        if (!groups.SetPinned(name, pinned))
        {
            return FrontEndResults.Error(404, $"no group \"{name}\"");
        }
        return FrontEndResults.Json(new JsonObject { ["pinned"] = groups.IsPinned(name) });
    }

    /// <summary>The one <c>name</c> of the query or the form (the guard has read the form of every POST).</summary>
    private static string? Name(HttpContext context)
    {
        var values = context.Request.Query["name"];
        if (values.Count == 0 && context.Request.HasFormContentType)
        {
            values = context.Request.Form["name"];
        }
        return values.Count == 1 && values[0] is { Length: > 0 and <= DhtGroups.MaxNameBytes } name && !name.Contains('\n', StringComparison.Ordinal) && !name.Contains('\0', StringComparison.Ordinal)
            ? name
            : null;
    }

    private static JsonArray Array(IEnumerable<string> items) => new([.. items.Select(i => (JsonNode)i)]);
}
