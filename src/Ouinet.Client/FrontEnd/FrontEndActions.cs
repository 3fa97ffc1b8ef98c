using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Ouinet.Client.Logging;

namespace Ouinet.Client.FrontEnd;

/// <summary>
/// <c>POST /</c> with Ouinet's arguments (form fields, next to <c>csrf</c>): <c>origin_access</c>, <c>proxy_access</c>,
/// <c>injector_access</c>, <c>distributed_cache</c>, <c>logfile</c>, <c>auto_refresh</c>, <c>metrics</c> =
/// <c>enable</c>/<c>disable</c>; <c>loglevel=LEVEL</c>; <c>purge_cache</c>. Every argument is checked before any is
/// applied: an unknown argument or a bad value is <c>400</c> and changes nothing. Success is <c>302 Location: ./</c>
/// (a form post), or <c>200 {"status":"ok"}</c> when the caller accepts JSON (the page's script).
/// </summary>
internal static partial class FrontEndActions
{
    public static async Task<IResult> ApplyAsync(HttpContext context, FrontEndServer server)
    {
        var client = server.Client;
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var changes = new List<Func<ClientSwitchState, ClientSwitchState>>();
        var purge = false;
        foreach (var (key, values) in form)
        {
            if (key == "csrf")
            {
                continue;
            }
            if (values.Count != 1)
            {
                return Bad($"{key}: give it once");
            }
            var value = values[0] ?? "";
            switch (key)
            {
                case "origin_access" or "proxy_access" or "injector_access" or "distributed_cache" or "logfile":
                    if (!TryEnable(value, out var enable))
                    {
                        return Bad($"{key}: \"{value}\" is not enable or disable");
                    }
                    changes.Add(Switch(key, enable));
                    break;
                case "auto_refresh":
                    // The page updates itself live; accepted for Ouinet's clients, nothing to change.
                    if (!TryEnable(value, out _))
                    {
                        return Bad($"{key}: \"{value}\" is not enable or disable");
                    }
                    break;
                case "metrics":
                    if (!TryEnable(value, out var metrics) || metrics)
                    {
                        return Bad("metrics: this client collects no metrics (only metrics=disable is accepted)");
                    }
                    break;
                case "loglevel":
                    if (!OuinetLogLevels.TryParse(value, out var newLevel))
                    {
                        return Bad($"loglevel: \"{value}\" is not one of {string.Join(", ", OuinetLogLevels.Names)}");
                    }
                    changes.Add(s => s with { LogLevel = newLevel });
                    break;
                case "purge_cache":
                    purge = true;
                    break;
                default:
                    return Bad($"unknown argument \"{key}\"");
            }
        }
        foreach (var change in changes)
        {
            client.Switches.Update(change);
        }
        if (purge && client.Cache is { } cache)
        {
            var removed = await Task.Run(cache.Store.Purge, context.RequestAborted);
            Log.Purged(server.Logger, removed);
        }
        if (changes.Count > 0 && server.Logger.IsEnabled(LogLevel.Information))
        {
            var state = client.Switches.Current;
            var level = OuinetLogLevels.Name(state.LogLevel);
            Log.Switches(server.Logger, state.OriginAccess, state.ProxyAccess, state.InjectorAccess, state.DistributedCache, level, state.LogFile);
        }
        var wantsJson = context.Request.Headers.Accept.Any(a => a?.Contains("application/json", StringComparison.OrdinalIgnoreCase) == true);
        return wantsJson ? FrontEndResults.Json(new System.Text.Json.Nodes.JsonObject { ["status"] = "ok" }) : Results.Redirect("./");

        static IResult Bad(string message) => Results.Text(message + "\n", "text/plain; charset=utf-8", statusCode: 400);
    }

    private static Func<ClientSwitchState, ClientSwitchState> Switch(string key, bool on) => key switch
    {
        "origin_access" => s => s with { OriginAccess = on },
        "proxy_access" => s => s with { ProxyAccess = on },
        "injector_access" => s => s with { InjectorAccess = on },
        "distributed_cache" => s => s with { DistributedCache = on },
        _ => s => s with { LogFile = on },
    };

    private static bool TryEnable(string value, out bool enable)
    {
        enable = value == "enable";
        return value is "enable" or "disable";
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Front-end: purged the local cache ({Removed} entries; pinned groups kept)")]
        public static partial void Purged(ILogger logger, int removed);

        [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Front-end: origin {Origin}, proxy {Proxy}, injector {Injector}, distributed cache {DistributedCache}, log level {Level}, log file {LogFile}")]
        public static partial void Switches(ILogger logger, bool origin, bool proxy, bool injector, bool distributedCache, string level, bool logFile);
    }
}
