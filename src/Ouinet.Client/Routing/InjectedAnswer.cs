using System.Buffers;
using Microsoft.Extensions.Logging;
using Ouinet.Cache.Policy;
using Ouinet.Cache.Store;
using Ouinet.Client.Proxy;
using Ouinet.Client.Responses;
using Ouinet.Http;
using Ouinet.Protocol;
using Ouinet.Protocol.Streams;

namespace Ouinet.Client.Routing;

/// <summary>
/// An injector's signed response whose head verified. Its body goes to the browser block by block, each block only once
/// its signature verified (<see cref="SignedResponseReader"/>), chunked; when the response may be stored it is recorded
/// at the same time (<see cref="VerifiedEntryRecorder"/>) and becomes visible in the store only once all of it verified.
/// A verification failure mid-body is never shown as complete: the browser connection is cut (no last chunk) and
/// nothing is stored.
/// </summary>
internal sealed class InjectedAnswer(SignedResponseReader reader, IAsyncDisposable owner, SignedStore? store, StoreDecision decision, string group, ILogger logger,
    Mechanism source = Mechanism.Injector, Action? onStored = null) : Answer
{
    public override Mechanism Source => source;

    public override int Status => reader.Head.StatusCode;

    /// <summary>Whether the entry was stored (known once sent).</summary>
    public bool Stored { get; private set; }

    public override async Task<bool> SendAsync(BrowserExchange browser, CancellationToken cancellationToken)
    {
        var head = BrowserHead.FromSigned(reader.Head, source);
        var noBody = browser.IsHead || head.StatusCode is 204 or 304;
        var chunked = browser.CanChunk && !noBody;
        var close = !browser.KeepAlive || (!noBody && !chunked);
        if (chunked)
        {
            head.Fields.Add("Transfer-Encoding", "chunked");
        }
        browser.SetConnection(head, close);
        HttpWriter.WriteResponseHead(browser.Output, head);
        await browser.FlushAsync(cancellationToken);
        var output = browser.Output;
        async ValueTask ToBrowser(VerifiedBlock block, CancellationToken ct)
        {
            if (noBody || block.Data.IsEmpty)
            {
                return;
            }
            if (chunked)
            {
                HttpWriter.WriteChunkHeader(output, block.Data.Length);
            }
            output.Write(block.Data.Span);
            if (chunked)
            {
                HttpWriter.WriteChunkEnd(output);
            }
            await browser.FlushAsync(ct);
        }
        try
        {
            if (store is not null && decision == StoreDecision.Store)
            {
                Stored = await VerifiedEntryRecorder.RecordAsync(store, reader, group, ToBrowser, cancellationToken);
                if (Stored)
                {
                    onStored?.Invoke();
                    Log.Stored(logger, reader.DataSize ?? 0);
                }
            }
            else
            {
                while (await reader.ReadBlockAsync(cancellationToken) is { } block)
                {
                    await ToBrowser(block, cancellationToken);
                }
                Log.NotStored(logger, decision);
            }
        }
        catch (OuinetVerificationException e)
        {
            Log.VerificationFailed(logger, e.Code, e.Message);
            throw new IOException($"The {source.Source()} response failed verification ({e.Code}); the browser connection is cut.", e);
        }
        if (chunked)
        {
            HttpWriter.WriteLastChunk(output);
        }
        await browser.FlushAsync(cancellationToken);
        return !close;
    }

    public override async ValueTask DisposeAsync()
    {
        reader.Dispose();
        await owner.DisposeAsync();
    }
}
