using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using Ouinet.Cache.Store;
using Ouinet.Client.Routing;
using Ouinet.Http;

namespace Ouinet.Client.Responses;

/// <summary>
/// Serves a stored entry to the browser: the head shaped by <see cref="BrowserHead"/>, <c>Content-Length</c> (the
/// size is known), and, for a <c>Range</c> request, exactly the bytes asked for as a 206 (browsers seek in media this
/// way). Streams from disk in 256 KiB pieces, or, on a connection that can (<see cref="IFileSender"/>), lets the kernel
/// send a large body straight from the file.
/// </summary>
public static class CachedResponseWriter
{
    // Large enough that a big body costs few reads, writes and flushes; small enough to keep memory per connection low.
    private const int PieceSize = 256 * 1024;

    // Below this the body goes out with the head in one write: cheaper than a separate send of the head.
    private const int MinFileSendSize = 64 * 1024;

    /// <param name="extraFields">Fields added to the head (warnings, <c>Connection</c>), replacing any of the same name.</param>
    /// <param name="fileSender">Sends file bytes without copying them through the process, when the connection allows it.</param>
    /// <param name="heads">This entry's serialized heads: a whole-body answer without extra fields is copied from there.</param>
    public static async ValueTask WriteAsync(StoredEntry entry, HttpRequestHead request, Mechanism source, PipeWriter output, IReadOnlyList<HttpField>? extraFields = null,
        IFileSender? fileSender = null, BrowserHeadCache? heads = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(output);
        var unsatisfiable = false;
        var range = RangeApplies(entry, request) ? ByteRange.Parse(request.Fields.Get("Range"), entry.DataSize, out unsatisfiable) : null;
        if (range is null && unsatisfiable)
        {
            var refusal = BrowserHead.FromSigned(entry.Head, source, status: 416);
            refusal.Fields.Set("Content-Range", string.Create(CultureInfo.InvariantCulture, $"bytes */{entry.DataSize}"));
            refusal.Fields.Set("Content-Length", "0");
            AddFields(refusal, extraFields);
            HttpWriter.WriteResponseHead(output, refusal);
            await output.FlushAsync(cancellationToken);
            return;
        }
        var (first, length) = range is { } r ? (r.First, r.Length) : (0L, entry.DataSize);
        if (range is null && heads is not null && extraFields is not { Count: > 0 })
        {
            output.Write(heads.Whole(entry, source).Span);
        }
        else
        {
            var head = BrowserHead.FromSigned(entry.Head, source, range is null ? null : 206);
            if (range is { } rr)
            {
                head.Fields.Set("Content-Range", rr.ContentRange(entry.DataSize));
            }
            head.Fields.Set("Content-Length", length.ToString(CultureInfo.InvariantCulture));
            AddFields(head, extraFields);
            HttpWriter.WriteResponseHead(output, head);
        }
        if (request.Method == "HEAD" || length == 0)
        {
            await output.FlushAsync(cancellationToken);
            return;
        }
        if (fileSender is not null && length >= MinFileSendSize && entry.BodyHandle is { } body)
        {
            await FlushAsync(output, cancellationToken);
            await fileSender.SendAsync(body, first, length, cancellationToken);
            return;
        }
        // Body pieces are read straight into the pipe's memory (positional reads of page-cached files are cheap, so
        // synchronous); the head goes out with the first piece, one flush per piece lets a slow browser push back.
        for (long done = 0; done < length;)
        {
            var want = (int)Math.Min(PieceSize, length - done);
            var memory = output.GetMemory(want);
            var read = entry.Read(first + done, memory.Span[..want]);
            if (read <= 0)
            {
                throw new IOException($"The stored body of {entry.Uri} ended at {first + done} of {entry.DataSize} bytes.");
            }
            output.Advance(read);
            done += read;
            await FlushAsync(output, cancellationToken);
        }
    }

    private static async ValueTask FlushAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        var flushed = await output.FlushAsync(cancellationToken);
        if (flushed.IsCompleted || flushed.IsCanceled)
        {
            throw new IOException("The browser connection is gone.");
        }
    }

    private static void AddFields(HttpResponseHead head, IReadOnlyList<HttpField>? fields)
    {
        foreach (var field in fields ?? [])
        {
            head.Fields.Remove(field.Name);
        }
        foreach (var field in fields ?? [])
        {
            head.Fields.Add(field.Name, field.Value);
        }
    }

    /// <summary><c>If-Range</c> with another validator means the browser's partial copy is outdated: send everything.</summary>
    private static bool RangeApplies(StoredEntry entry, HttpRequestHead request)
    {
        if (request.Method != "GET" || request.Fields.Get("If-Range") is not { } ifRange)
        {
            return request.Method is "GET" or "HEAD";
        }
        return ifRange == entry.Head.Fields.Get("ETag") || ifRange == entry.Head.Fields.Get("Last-Modified");
    }
}
