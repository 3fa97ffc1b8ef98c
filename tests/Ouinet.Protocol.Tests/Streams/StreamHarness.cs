using System.IO.Pipelines;
using System.Text;
using Ouinet.Http;
using Ouinet.Protocol.Headers;
using Ouinet.Protocol.Keys;
using Ouinet.Protocol.Streams;
using Ouinet.Protocol.Tests.Support;

namespace Ouinet.Protocol.Tests.Streams;

/// <summary>A clock stopped at one instant: Sig1's <c>(created)</c> in the vectors.</summary>
internal sealed class FixedTime(long unixSeconds) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeSeconds(unixSeconds);
}

/// <summary>What reading a response through <see cref="SignedResponseReader"/> gave: the verified bytes and, on failure, why.</summary>
internal sealed class VerifyOutcome
{
    public Exception? Error { get; set; }

    public OuinetVerificationError? Code => (Error as OuinetVerificationException)?.Error;

    public SignedResponseKind? Kind { get; set; }

    public int SignedStatus { get; set; }

    public string? Uri { get; set; }

    public long? DataSize { get; set; }

    public long BlockCount { get; set; }

    public BlockRange? Range { get; set; }

    public HttpResponseHead? Head { get; set; }

    public HttpResponseHead? StoredHead { get; set; }

    public MemoryStream Body { get; } = new();

    public List<SignedBlock> Blocks { get; } = [];

    public bool Succeeded => Error is null;

    public override string ToString() => Error is null ? $"verified {Body.Length} bytes" : $"{(Error as OuinetVerificationException)?.Code ?? Error.GetType().Name}: {Error.Message}";
}

internal static class StreamHarness
{
    public const long Ts = 1584748800;

    /// <summary>The vectors' options for <paramref name="vector"/>: its URI, injection, block size, a clock at ts.</summary>
    public static ResponseSigningOptions VectorOptions(string vector)
    {
        var manifest = Manifest.Vector(vector);
        return new ResponseSigningOptions
        {
            Uri = manifest.String("uri"),
            Injection = new InjectionHeader(manifest.String("injection_id"), manifest.GetProperty("ts").GetInt64()),
            BlockSize = manifest.GetProperty("block_size").GetInt32(),
            TimeProvider = new FixedTime(manifest.GetProperty("sig1_created").GetInt64()),
        };
    }

    /// <summary>Parses <paramref name="originMessage"/> and signs it as the injector sends it.</summary>
    public static async Task<byte[]> SignAsync(byte[] originMessage, InjectorPrivateKey key, ResponseSigningOptions options, CancellationToken cancellationToken)
    {
        await using var reader = HttpMessageReader.Create(new MemoryStream(originMessage));
        var head = await reader.ReadResponseHeadAsync(cancellationToken);
        var body = reader.ReadResponseBody(head, options.RequestMethod);
        return await SignAsync(head, body.AsStream(), key, options, cancellationToken);
    }

    public static async Task<byte[]> SignAsync(HttpResponseHead origin, Stream body, InjectorPrivateKey key, ResponseSigningOptions options, CancellationToken cancellationToken)
    {
        var output = new MemoryStream();
        var writer = PipeWriter.Create(output, new StreamPipeWriterOptions(leaveOpen: true));
        await ResponseSigner.SignAsync(origin, body, key, options, writer, cancellationToken);
        await writer.CompleteAsync();
        return output.ToArray();
    }

    /// <summary>Reads <paramref name="message"/> (delivered <paramref name="maxPerRead"/> bytes at a time) through the verifier.</summary>
    public static async Task<VerifyOutcome> VerifyAsync(
        byte[] message,
        InjectorPublicKey key,
        CancellationToken cancellationToken,
        SignedResponseOptions? options = null,
        int maxPerRead = int.MaxValue)
    {
        var outcome = new VerifyOutcome();
        try
        {
            await using var http = HttpMessageReader.Create(new TrickleStream(message, maxPerRead));
            var head = await http.ReadResponseHeadAsync(cancellationToken);
            var body = http.ReadResponseBody(head, "GET");
            using var reader = await SignedResponseReader.OpenAsync(head, body, key, options, cancellationToken);
            outcome.Kind = reader.Kind;
            outcome.Head = reader.Head;
            outcome.SignedStatus = reader.SignedStatus;
            outcome.Range = reader.Range;
            while (await reader.ReadBlockAsync(cancellationToken) is { } block)
            {
                Assert.Equal(outcome.Body.Length + (reader.Range?.First ?? 0), block.Offset);
                outcome.Body.Write(block.Data.Span);
                if (block.Block is { } signed)
                {
                    outcome.Blocks.Add(signed);
                }
            }
            outcome.Uri = reader.Uri;
            outcome.DataSize = reader.DataSize;
            outcome.BlockCount = reader.BlockCount;
            outcome.StoredHead = reader.StoredHead;
            Assert.True(reader.IsVerified);
            Assert.Null(await reader.ReadBlockAsync(cancellationToken));
        }
        catch (Exception e) when (e is OuinetVerificationException or HttpParseException)
        {
            outcome.Error = e;
        }
        return outcome;
    }

    public static string Text(byte[] bytes) => Encoding.Latin1.GetString(bytes);

    public static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    /// <summary>A <c>sigs</c> line as the spec defines it (64 NUL bytes for block 0's previous chained hash).</summary>
    public static string SigsLine(SignedBlock block) =>
        $"{block.Offset:x16} {Convert.ToBase64String(block.Signature.Span)} {Convert.ToBase64String(block.Hash.Span)} " +
        $"{Convert.ToBase64String(block.PreviousChainedHash.IsEmpty ? new byte[64] : block.PreviousChainedHash.ToArray())}\n";
}
