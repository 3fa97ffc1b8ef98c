using System.Buffers;
using System.Globalization;
using Ouinet.Client.Caching;
using Ouinet.Client.Proxy;
using Ouinet.Client.Responses;
using Ouinet.Http;
using Ouinet.Injector;
using Ouinet.Protocol;

namespace Ouinet.Client.Routing;

/// <summary>
/// What a mechanism produced once it had a response head: the router commits to it and it is sent to the browser.
/// A failure while sending (after the head went out) ends the browser connection, so a cut body is never taken as whole.
/// </summary>
public abstract class Answer : IAsyncDisposable
{
    public abstract Mechanism Source { get; }

    /// <summary>The status the browser gets.</summary>
    public abstract int Status { get; }

    /// <summary>Writes the response; returns whether the browser connection may carry another request.</summary>
    public abstract Task<bool> SendAsync(BrowserExchange browser, CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();
}

/// <summary>A response from the origin or from the injector as a plain proxy, relayed as it streams (nothing stored).</summary>
internal sealed class RelayedAnswer(Mechanism source, HttpResponseHead head, HttpBodyReader body, IAsyncDisposable owner) : Answer
{
    private const int FlushThreshold = 64 * 1024;

    public override Mechanism Source => source;

    public override int Status => head.StatusCode;

    public override async Task<bool> SendAsync(BrowserExchange browser, CancellationToken cancellationToken)
    {
        var noBody = browser.IsHead || head.StatusCode is < 200 or 204 or 304;
        var chunked = !noBody && body.Framing is BodyFraming.Chunked or BodyFraming.UntilClose && browser.CanChunk;
        var close = !browser.KeepAlive || (!noBody && body.Framing == BodyFraming.UntilClose && !chunked);
        var answer = new HttpResponseHead(head.StatusCode, head.Reason, HttpProtocolVersion.Http11, HopByHop.Strip(head.Fields, noBody ? [] : ["Content-Length"]));
        if (!noBody && body.Framing == BodyFraming.ContentLength)
        {
            answer.Fields.Add("Content-Length", body.ContentLength!.Value.ToString(CultureInfo.InvariantCulture));
        }
        else if (chunked)
        {
            answer.Fields.Add("Transfer-Encoding", "chunked");
        }
        answer.Fields.Add(OuinetHeaders.Version, ProtocolVersion.Current.ToString());
        answer.Fields.Add(OuinetHeaders.Source, source.Source());
        browser.SetConnection(answer, close);
        HttpWriter.WriteResponseHead(browser.Output, answer);
        if (noBody)
        {
            await browser.FlushAsync(cancellationToken);
            return !close && (browser.IsHead || body.IsCompleted);
        }
        while (true)
        {
            var part = await body.ReadAsync(cancellationToken);
            if (part.Kind == HttpBodyPartKind.End)
            {
                if (chunked)
                {
                    HttpWriter.WriteLastChunk(browser.Output);
                }
                await browser.FlushAsync(cancellationToken);
                return !close;
            }
            if (part.Kind != HttpBodyPartKind.Data || part.Data.IsEmpty)
            {
                continue;
            }
            if (chunked)
            {
                HttpWriter.WriteChunkHeader(browser.Output, part.Data.Length);
            }
            foreach (var segment in part.Data)
            {
                browser.Output.Write(segment.Span);
            }
            if (chunked)
            {
                HttpWriter.WriteChunkEnd(browser.Output);
            }
            if (browser.Output.UnflushedBytes >= FlushThreshold)
            {
                await browser.FlushAsync(cancellationToken);
            }
        }
    }

    public override ValueTask DisposeAsync() => owner.DisposeAsync();
}

/// <summary>A stored entry (fresh, or stale as the last resort): whole or the browser's range, with <c>Content-Length</c>.</summary>
internal sealed class CachedAnswer(EntryLease lease, Mechanism source, IReadOnlyList<HttpField> extraFields) : Answer
{
    public override Mechanism Source => source;

    public override int Status => lease.Entry.Head.StatusCode;

    public override async Task<bool> SendAsync(BrowserExchange browser, CancellationToken cancellationToken)
    {
        var fields = extraFields;
        if (!browser.KeepAlive || !browser.CanChunk)
        {
            fields = [.. extraFields, new HttpField("Connection", browser.KeepAlive ? "keep-alive" : "close")];
        }
        await CachedResponseWriter.WriteAsync(lease.Entry, browser.Request, source, browser.Output, fields, browser.FileSender, lease.Heads, cancellationToken);
        await browser.FlushAsync(cancellationToken);
        return browser.KeepAlive;
    }

    public override ValueTask DisposeAsync() => lease.DisposeAsync();
}

/// <summary>A head-only answer (a verified injector answer to HEAD): no body.</summary>
internal sealed class HeadOnlyAnswer(HttpResponseHead browserHead, IAsyncDisposable owner, Mechanism source) : Answer
{
    public override Mechanism Source => source;

    public override int Status => browserHead.StatusCode;

    public override async Task<bool> SendAsync(BrowserExchange browser, CancellationToken cancellationToken)
    {
        browser.SetConnection(browserHead, !browser.KeepAlive);
        HttpWriter.WriteResponseHead(browser.Output, browserHead);
        await browser.FlushAsync(cancellationToken);
        return browser.KeepAlive;
    }

    public override ValueTask DisposeAsync() => owner.DisposeAsync();
}
