using System.Buffers;
using System.IO.Pipelines;
using Ouinet.Http;
using Ouinet.Protocol.Blocks;
using Ouinet.Protocol.Keys;

namespace Ouinet.Protocol.Streams;

/// <summary>
/// The injector's signature stream, byte for byte as Ouinet C++ 1.6 sends it: the injector head (Sig0), one chunk
/// per block with <c>block-signature(i)</c> as a quoted <c>ouisig</c> on the size line of the chunk that follows block
/// <c>i</c> (the injector sends no <c>ouihash</c>), the last one on the last-chunk line, then the trailer
/// <c>X-Ouinet-Data-Size</c>, <c>Digest</c>, <c>X-Ouinet-Sig1</c>. The head and each block are flushed as soon as
/// they exist, so the client gets block 0 while the origin is still sending.
/// </summary>
public static class ResponseSigner
{
    /// <summary>
    /// Signs <paramref name="origin"/> and its body <paramref name="body"/> (decoded bytes) into <paramref name="output"/>.
    /// Returns the entry as it would be stored, or null when the response is the head alone: a <c>HEAD</c> request,
    /// or a status that has no body (1xx, 204, 304).
    /// </summary>
    public static async ValueTask<SignedEntry?> SignAsync(
        HttpResponseHead origin,
        Stream body,
        InjectorPrivateKey key,
        ResponseSigningOptions options,
        PipeWriter output,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(output);
        var signer = new EntrySigner(origin, key, options);
        HttpWriter.WriteResponseHead(output, signer.InjectorHead);
        await PipeFlush.FlushAsync(output, cancellationToken);
        if (options.IsHead || origin.StatusCode is < 200 or 204 or 304)
        {
            // No body may follow such a head (RFC 9112 §6.3): anything after it would be read as the next response.
            return null;
        }
        var chunks = new ChunkPlacement(output);
        var entry = await signer.SignBodyAsync(body, chunks.WriteBlockAsync, cancellationToken);
        HttpWriter.WriteLastChunk(output, chunks.PendingSignature(), entry.Trailer);
        await PipeFlush.FlushAsync(output, cancellationToken);
        return entry;
    }

    /// <summary>As above, reading the origin's body from its <see cref="HttpBodyReader"/> (origin trailers are dropped).</summary>
    public static ValueTask<SignedEntry?> SignAsync(
        HttpResponseHead origin,
        HttpBodyReader body,
        InjectorPrivateKey key,
        ResponseSigningOptions options,
        PipeWriter output,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        return SignAsync(origin, body.AsStream(), key, options, output, cancellationToken);
    }

    /// <summary>Writes each block as one chunk whose size line carries the previous block's signature.</summary>
    private sealed class ChunkPlacement(PipeWriter output)
    {
        private readonly byte[] _pending = new byte[BlockSignature.Size];
        private bool _hasPending;

        public async ValueTask WriteBlockAsync(SignedBlock block, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            // Only an empty body's zero-length block has no data; its signature goes on the last-chunk line (C1).
            if (!data.IsEmpty)
            {
                HttpWriter.WriteChunkHeader(output, data.Length, PendingSignature());
                output.Write(data.Span);
                HttpWriter.WriteChunkEnd(output);
                await PipeFlush.FlushAsync(output, cancellationToken);
            }
            block.Signature.Span.CopyTo(_pending);
            _hasPending = true;
        }

        public ChunkExtension[] PendingSignature() =>
            _hasPending ? [OuinetChunkExtensions.Create(OuinetChunkExtensions.BlockSignature, _pending)] : [];
    }
}
