using System.Buffers;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Ouinet.Cache.Policy;
using Ouinet.Client.Responses;
using Ouinet.Client.Routing;
using Ouinet.Http;
using Ouinet.Injector;
using Ouinet.Protocol;
using Ouinet.Protocol.Canonicalization;

namespace Ouinet.Client.Proxy;

/// <summary>
/// One proxy request: reads its body (held whole so a failed mechanism can be followed by another), classifies the
/// target, looks the URI up in the local cache, plans (<see cref="RoutePlanner"/>), routes (<see cref="RequestRouter"/>)
/// and sends the answer — or, when every mechanism failed, <c>502</c> with <c>X-Ouinet-Error: 3 Resource retrieval
/// failed</c> and a text body (or the repository's <c>error-page.html</c>).
/// </summary>
public sealed class RequestHandler
{
    public const string FailureText = "Failed to retrieve the resource (after attempting all configured mechanisms)";

    private readonly OuinetClient _client;
    private readonly ILogger _logger;

    internal RequestHandler(OuinetClient client)
    {
        _client = client;
        _logger = client.Logger;
    }

    /// <summary>Answers one browser request for absolute <paramref name="target"/>; returns whether the connection may go on.</summary>
    public async Task<bool> HandleAsync(BrowserExchange exchange, string target, HttpBodyReader body, IdleTimeout idle, CancellationToken abort)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(idle);
        var options = _client.Options;
        var head = exchange.Request;
        if (!TargetUri.TryParse(target, out var uri))
        {
            LogRequest(head, target, "not a proxy request");
            await ProxyConnection.WriteTextAsync(exchange.Output, 400, "Not a proxy request: the target must be an absolute http:// or https:// URI without user info.", close: true, abort);
            return false;
        }
        ReadOnlyMemory<byte>? bytes = null;
        if (!body.IsCompleted)
        {
            bytes = await ReadBodyAsync(exchange, body, options.RequestBodyLimit, idle.Token);
            if (bytes is null)
            {
                await ProxyConnection.WriteTextAsync(exchange.Output, 413, $"The request body is over request-body-limit ({options.RequestBodyLimit / 1024} KiB).", close: true, abort);
                return false;
            }
        }
        var fragment = target.IndexOf('#', StringComparison.Ordinal);
        var plainUri = fragment < 0 ? target : target[..fragment];
        var canonical = CanonicalUri.TryNormalize(target, out var c, out _) ? c : null;
        var kind = TargetClassifier.Classify(uri.Host, options.LocalDomain);
        var group = head.Fields.Get(OuinetHeaders.Group)?.Trim();
        if (!string.IsNullOrEmpty(group) && RequestPolicy.IsPrivate(head.Fields))
        {
            Log.PrivateWithGroup(_logger);
        }
        var hit = head.Method is "GET" or "HEAD" && canonical is not null && _client.Cache is { } cache
            ? cache.Find(canonical, CacheControl.From(head.Fields))
            : null;
        var stored = hit?.Freshness.State switch
        {
            EntryState.Fresh => StoredState.Fresh,
            EntryState.Stale => StoredState.Stale,
            _ => StoredState.None,
        };
        var plan = RoutePlanner.Plan(head, kind, stored, _client.Mechanisms, options.AllowPrivateTargets);
        LogRequest(head, plainUri, plan.Reason);
        var request = new RouteRequest
        {
            Head = head,
            Target = uri,
            Uri = plainUri,
            CanonicalUri = canonical,
            Body = bytes,
            Kind = kind,
            Hit = hit,
            Group = string.IsNullOrEmpty(group) ? canonical : group,
            OnProgress = idle.ResetCallback,
        };
        var outcome = await _client.Router.RouteAsync(request, plan, idle.Token);
        _client.Statistics.Record(head.Method, plainUri, outcome.Answer?.Source, outcome.Answer?.Status ?? 502);
        if (outcome.Answer is not { } answer)
        {
            abort.ThrowIfCancellationRequested();
            if (_logger.IsEnabled(LogLevel.Information))
            {
                var reasons = string.Join("; ", outcome.Failures);
                Log.AllFailed(_logger, reasons);
            }
            return await WriteFailureAsync(exchange, outcome.Failures, idle.Token);
        }
        await using (answer)
        {
            try
            {
                return await answer.SendAsync(exchange, idle.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or HttpParseException or System.Net.Sockets.SocketException && !abort.IsCancellationRequested)
            {
                // The head went out: the only honest way to report a broken body is to cut the connection.
                Log.TransferAborted(_logger, idle.HasTimedOut ? "idle timeout" : e.Message);
                return false;
            }
        }
    }

    private async Task<bool> WriteFailureAsync(BrowserExchange exchange, IReadOnlyList<string> failures, CancellationToken cancellationToken)
    {
        var head = BrowserHead.Error(502, 3, "Resource retrieval failed");
        byte[] body;
        var page = Path.Combine(_client.Options.Repository, "error-page.html");
        if (File.Exists(page))
        {
            head.Fields.Set("Content-Type", "text/html; charset=utf-8");
            body = await File.ReadAllBytesAsync(page, cancellationToken);
        }
        else
        {
            var text = new StringBuilder(FailureText).Append(".\n\n");
            foreach (var failure in failures)
            {
                text.Append("- ").Append(failure).Append('\n');
            }
            body = Encoding.UTF8.GetBytes(text.ToString());
        }
        head.Fields.Add("Content-Length", body.Length.ToString(CultureInfo.InvariantCulture));
        exchange.SetConnection(head, !exchange.KeepAlive);
        HttpWriter.WriteResponseHead(exchange.Output, head);
        if (!exchange.IsHead)
        {
            exchange.Output.Write(body);
        }
        await exchange.FlushAsync(cancellationToken);
        return exchange.KeepAlive;
    }

    /// <summary>The whole request body, or null when it is over <paramref name="limit"/>.</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(BrowserExchange exchange, HttpBodyReader body, long limit, CancellationToken cancellationToken)
    {
        if (body.ContentLength > limit)
        {
            return null;
        }
        if (exchange.Request.Fields.GetAll("Expect").Any(v => v.Trim().Equals("100-continue", StringComparison.OrdinalIgnoreCase)))
        {
            exchange.Output.Write("HTTP/1.1 100 Continue\r\n\r\n"u8);
            await exchange.FlushAsync(cancellationToken);
        }
        using var buffer = new MemoryStream();
        while (true)
        {
            var part = await body.ReadAsync(cancellationToken);
            if (part.Kind == HttpBodyPartKind.End)
            {
                return buffer.ToArray();
            }
            if (part.Kind != HttpBodyPartKind.Data)
            {
                continue;
            }
            if (buffer.Length + part.Data.Length > limit)
            {
                return null;
            }
            foreach (var segment in part.Data)
            {
                buffer.Write(segment.Span);
            }
        }
    }

    private void LogRequest(HttpRequestHead head, string target, string reason)
    {
        if (!_logger.IsEnabled(LogLevel.Debug))
        {
            return;
        }
        if (_client.Options.LogTargets)
        {
            Log.Request(_logger, head.Method, target, reason);
        }
        else
        {
            Log.RequestNoTarget(_logger, head.Method, reason);
        }
    }
}
