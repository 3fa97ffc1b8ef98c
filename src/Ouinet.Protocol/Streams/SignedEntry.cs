using Ouinet.Http;
using Ouinet.Protocol.Headers;
using Ouinet.Protocol.Signatures;

namespace Ouinet.Protocol.Streams;

/// <summary>What signing a whole body produced, besides the blocks.</summary>
/// <param name="StoredHead">
/// The head a store keeps (a <c>data-v3</c> <c>head</c> file): the entry fields, then <c>X-Ouinet-Data-Size</c>,
/// <c>Digest</c> and <c>X-Ouinet-Sig1</c>; no Sig0 (C2: Sig1 supersedes it), no framing.
/// </param>
/// <param name="Trailer">The injector stream's trailer: <c>X-Ouinet-Data-Size</c>, <c>Digest</c>, <c>X-Ouinet-Sig1</c> (C5d).</param>
/// <param name="DataSize">The body's length.</param>
/// <param name="Digest">The body's SHA-256.</param>
/// <param name="FullSignature">Sig1.</param>
/// <param name="BlockCount">Signed blocks: at least 1 (an empty body is one zero-length block, C1).</param>
public sealed record SignedEntry(
    HttpResponseHead StoredHead,
    HttpFields Trailer,
    long DataSize,
    DigestHeader Digest,
    HttpSignature FullSignature,
    long BlockCount);

/// <summary>Receives each signed block with its data; <paramref name="data"/> is valid only until the returned task completes.</summary>
public delegate ValueTask SignedBlockHandler(SignedBlock block, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);
