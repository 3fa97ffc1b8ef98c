using System.Buffers;
using Ouinet.Http;
using Ouinet.Protocol.Canonicalization;
using Ouinet.Protocol.Headers;
using Ouinet.Protocol.Keys;
using Ouinet.Protocol.Signatures;

namespace Ouinet.Protocol.Streams;

/// <summary>How a complete-signature-only response is framed.</summary>
public enum CompleteResponseFraming
{
    /// <summary>Chunked, with <c>X-Ouinet-Data-Size</c>, <c>Digest</c> and <c>X-Ouinet-Sig1</c> as trailers.</summary>
    Chunked,

    /// <summary><c>Content-Length</c>, with the three as header fields.</summary>
    ContentLength,
}

/// <summary>
/// Writes complete-signature-only responses (no Sig0, no <c>X-Ouinet-BSigs</c>): a separate injection without a
/// stream, as the vectors' <c>full-*.http</c>. Not streaming: the body is given whole. Ouinet C++ 1.6 never sends
/// these and its client refuses them; they exist for peers and tools that only want the spec's simplest form.
/// </summary>
public static class CompleteResponseSigner
{
    private const int ChunkSize = BlockSignaturesHeader.DefaultBlockSize;

    /// <summary>Signs <paramref name="origin"/> with <paramref name="body"/> and writes it framed as <paramref name="framing"/>.</summary>
    public static void Write(
        IBufferWriter<byte> output,
        HttpResponseHead origin,
        ReadOnlySpan<byte> body,
        InjectorPrivateKey key,
        ResponseSigningOptions options,
        CompleteResponseFraming framing)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var head = InjectorHead.CreateEntry(origin, options.Uri, options.Injection, options.Version, blockSignatures: null);
        var trailer = new HttpFields();
        trailer.Add(OuinetHeaders.DataSize, DataSizeHeader.Format(body.Length));
        trailer.Add(OuinetHeaders.Digest, DigestHeader.Compute(body).Format());
        var sig1 = HeadSigner.SignFull(key, head, trailer, options.TimeProvider.GetUtcNow().ToUnixTimeSeconds());
        trailer.Add(OuinetHeaders.Sig1, sig1.Format());

        if (framing == CompleteResponseFraming.ContentLength)
        {
            head.Fields.Add("Content-Length", DataSizeHeader.Format(body.Length));
            foreach (var field in trailer)
            {
                head.Fields.Add(field.Name, field.Value);
            }
            HttpWriter.WriteResponseHead(output, head);
            output.Write(body);
            return;
        }
        head.Fields.Add("Transfer-Encoding", "chunked");
        head.Fields.Add("Trailer", OuinetHeaders.InjectorTrailer);
        HttpWriter.WriteResponseHead(output, head);
        // No block signatures to place: chunks of 64 KiB, the last shorter.
        for (var offset = 0; offset < body.Length; offset += ChunkSize)
        {
            var chunk = body.Slice(offset, Math.Min(ChunkSize, body.Length - offset));
            HttpWriter.WriteChunkHeader(output, chunk.Length);
            output.Write(chunk);
            HttpWriter.WriteChunkEnd(output);
        }
        HttpWriter.WriteLastChunk(output, null, trailer);
    }
}
