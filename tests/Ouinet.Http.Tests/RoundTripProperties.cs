using System.Buffers;
using FsCheck;
using FsCheck.Xunit;

namespace Ouinet.Http.Tests;

/// <summary>
/// Write→parse round trips on random messages, under random segmentation, and every truncation of a valid
/// message giving "need more data" / UnexpectedEndOfStream, never another message.
/// </summary>
[Properties(Arbitrary = [typeof(HttpGenerators)], MaxTest = 150)]
public class RoundTripProperties
{
    [Property]
    public bool RequestHead_WrittenThenParsed_IsTheSame_AtAnyCut(RequestCase c, PositiveInt cutSeed)
    {
        var bytes = c.Bytes;
        var headLength = bytes.Length - c.Body.Length;
        var expected = Heads.Describe(c.Head);
        var whole = Parse.Request(bytes, null, out var consumed);
        var cut = 1 + (cutSeed.Get % (bytes.Length - 1));
        var split = Parse.Request(Sequences.Split(bytes, cut), null, out var consumedSplit);
        return Heads.Describe(whole) == expected && consumed == headLength
            && Heads.Describe(split) == expected && consumedSplit == headLength;
    }

    [Property]
    public bool ResponseHead_WrittenThenParsed_IsTheSame_OnEveryPrefixAndOneBytePerSegment(ResponseCase c)
    {
        var bytes = c.Bytes;
        for (var k = 0; k < bytes.Length; k++)
        {
            if (Parse.TryResponse(new ReadOnlySequence<byte>(bytes, 0, k)) is not null)
            {
                return false;
            }
        }
        var parsed = Parse.Response(Sequences.OneBytePerSegment(bytes), null, out var consumed);
        return Heads.Describe(parsed) == Heads.Describe(c.Head) && consumed == bytes.Length;
    }

    [Property]
    public bool ChunkExtension_WrittenQuotedThenParsed_IsTheSame(ChunkExtension[] extensions, PositiveInt size)
    {
        var line = Wire.Written(w => HttpWriter.WriteChunkHeader(w, size.Get, extensions));
        var parsed = Parse.ChunkHeader(new ReadOnlySequence<byte>(line));
        return parsed is { } p && p.Size == size.Get && p.Extensions.SequenceEqual(extensions) && p.Consumed == line.Length;
    }

    [Property]
    public bool Base64ExtensionValue_Unquoted_ParsesAsIs(ChunkExtension extension)
    {
        // The spec's examples write ouisig unquoted; a base64 value holds '+', '/' and '='.
        if (extension.Value is not { Length: > 0 } value || value.Any(ch => !char.IsAsciiLetterOrDigit(ch) && ch is not ('+' or '/' or '=')))
        {
            return true;
        }
        var parsed = Parse.ChunkHeader($"1a;{extension.Name}={value}\r\n");
        return parsed is { Size: 26 } p && p.Extensions.SequenceEqual([extension]);
    }

    [Property(MaxTest = 60)]
    public async Task<bool> ChunkedResponse_WrittenThenRead_IsTheSame_WhateverTheSegmentation(ChunkedCase c, PositiveInt pieceSeed)
    {
        var ct = TestContext.Current.CancellationToken;
        var bytes = c.Bytes;
        await using var reader = Wire.Reader(bytes, maxPerRead: 1 + (pieceSeed.Get % 40));
        var head = await reader.ReadResponseHeadAsync(ct);
        var body = await BodyTranscript.ReadAsync(reader.ReadResponseBody(head, "GET"), ct);
        return Heads.Describe(head) == Heads.Describe(c.Head)
            && body.Chunks.Select(x => (x.Size, Ext(x.Extensions), Convert.ToBase64String(x.Data)))
                .SequenceEqual(c.Chunks.Select(x => ((long)x.Data.Length, Ext(x.Extensions), Convert.ToBase64String(x.Data))))
            && body.EndExtensions.SequenceEqual(c.LastExtensions)
            && Heads.Describe(body.Trailers!) == Heads.Describe(c.Trailers)
            && (await Messages.RewriteResponseAsync(bytes, ct)).AsSpan().SequenceEqual(bytes);

        static string Ext(IEnumerable<ChunkExtension> e) => string.Join("|", e);
    }

    [Property(MaxTest = 40)]
    public async Task<bool> EveryTruncation_OfAChunkedResponse_IsUnexpectedEndOfStream(ChunkedCase c)
    {
        var ct = TestContext.Current.CancellationToken;
        var bytes = c.Bytes;
        // Every cut for small messages, an even spread for larger ones (keeps the run short).
        var step = Math.Max(1, bytes.Length / 150);
        for (var k = 0; k < bytes.Length; k += step)
        {
            try
            {
                await Messages.ResponseTranscriptAsync(bytes[..k], ct);
                return false;
            }
            catch (HttpParseException e) when (e.Error == HttpParseError.UnexpectedEndOfStream && e.StatusCode == 502)
            {
            }
        }
        return true;
    }

    [Property(MaxTest = 60)]
    public async Task<bool> EveryTruncation_OfARequest_IsUnexpectedEndOfStream_OrACleanEnd(RequestCase c)
    {
        var ct = TestContext.Current.CancellationToken;
        var bytes = c.Bytes;
        if (await Messages.RequestTranscriptAsync([], ct) is not null)
        {
            return false;
        }
        for (var k = 1; k < bytes.Length; k++)
        {
            try
            {
                await Messages.RequestTranscriptAsync(bytes[..k], ct);
                return false;
            }
            catch (HttpParseException e) when (e.Error == HttpParseError.UnexpectedEndOfStream && e.StatusCode == 400)
            {
            }
        }
        var full = await Messages.RequestTranscriptAsync(bytes, ct);
        return full is not null && full.Contains($"data {Convert.ToBase64String(c.Body)}\n", StringComparison.Ordinal);
    }
}
