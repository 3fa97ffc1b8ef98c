using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Ouinet.Client.Logging;

namespace Ouinet.Client.FrontEnd;

/// <summary>The front-end's paths (Ouinet's, plus <c>/api/dashboard</c> and the page's script and style sheet).</summary>
internal static class FrontEndRoutes
{
    public static void Map(IEndpointRouteBuilder app, FrontEndServer server)
    {
        var client = server.Client;
        // The portal. Query arguments never change state here (Ouinet's require-post behaviour): that is POST's job.
        app.MapGet("/", () => Asset("index.html", "text/html; charset=utf-8"));
        app.MapPost("/", (Func<HttpContext, Task<IResult>>)(context => FrontEndActions.ApplyAsync(context, server)));
        app.MapGet("/app.js", () => Asset("app.js", "text/javascript; charset=utf-8"));
        app.MapGet("/app.css", () => Asset("app.css", "text/css; charset=utf-8"));
        app.MapGet("/ca.pem", (HttpContext context) =>
        {
            // Only the certificate: the CA's private key (ssl-ca-key.pem) is never read here.
            context.Response.Headers.ContentDisposition = "inline; filename=\"ouinet-ca.pem\"";
            return Results.Text(client.CaCertificatePem, "application/x-x509-ca-cert", Encoding.ASCII);
        });
        app.MapGet("/logfile.txt", () => File.Exists(client.LogFile.Path)
            ? Results.Stream(new FileStream(client.LogFile.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete), "text/plain; charset=utf-8")
            : Results.Text("The log file is empty: switch it on with \"Log file\" (enable-log-file).\n", "text/plain; charset=utf-8", statusCode: 404));
        app.MapGet("/groups.txt", () => Results.Text(Lines(GroupsApi.Groups(client)), "text/plain; charset=utf-8"));
        app.MapGet("/pinned-groups.txt", () => Results.Text(Lines(GroupsApi.Pinned(client)), "text/plain; charset=utf-8"));
        app.MapGet("/api/status", () => FrontEndResults.Json(StatusDocument.Status(server)));
        app.MapGet("/api/endpoints", () => FrontEndResults.Json(StatusDocument.Endpoints(server)));
        app.MapGet("/api/dashboard", () => FrontEndResults.Json(DashboardDocument.Build(server)));
        app.MapGet("/api/log-levels", () => FrontEndResults.Json(new JsonArray([.. OuinetLogLevels.Names.Select(n => (JsonNode)n)])));
        GroupsApi.Map(app, client);
    }

    private static string Lines(IEnumerable<string> lines) => string.Concat(lines.Select(l => l + "\n"));

    private static IResult Asset(string name, string contentType)
    {
        var stream = typeof(FrontEndRoutes).Assembly.GetManifestResourceStream("FrontEnd/" + name)
            ?? throw new InvalidOperationException($"The front-end asset {name} is not embedded.");
        return Results.Stream(stream, contentType);
    }
}
