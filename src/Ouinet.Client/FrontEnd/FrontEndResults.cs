using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Ouinet.Client.FrontEnd;

/// <summary>How the front-end writes errors and JSON: Ouinet's <c>{"status":"error","message":…}</c> under <c>/api/</c>, plain text elsewhere.</summary>
internal static class FrontEndResults
{
    public static Task WriteErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        if (context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            return WriteJsonAsync(context, new JsonObject { ["status"] = "error", ["message"] = message }, status);
        }
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message + "\n", context.RequestAborted);
    }

    public static Task WriteJsonAsync(HttpContext context, JsonNode json, int status = 200)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(json.ToJsonString(), context.RequestAborted);
    }

    public static IResult Json(JsonNode json, int status = 200) => Results.Text(json.ToJsonString(), "application/json; charset=utf-8", statusCode: status);

    public static IResult Error(int status, string message) =>
        Json(new JsonObject { ["status"] = "error", ["message"] = message }, status);
}
