using System.Buffers;
using System.Security.Cryptography;
using Ouinet.Http;
using Ouinet.Protocol.Blocks;
using Ouinet.Protocol.Headers;
using Ouinet.Protocol.Keys;
using Ouinet.Protocol.Signatures;

namespace Ouinet.Protocol.Streams;

/// <summary>
/// Signs one cache entry without any HTTP framing: the injector head up front, then the body cut into blocks, each
/// signed as soon as it is complete, then Sig1 over the head and the trailer. <see cref="ResponseSigner"/> puts it on
/// the wire; a static cache builder stores the blocks (<c>sigs</c> lines) and <see cref="SignedEntry.StoredHead"/>.
/// Memory stays constant: one pooled block buffer and incremental hashes; the body is never held.
/// </summary>
public sealed class EntrySigner
{
    private readonly InjectorPrivateKey _key;
    private readonly ResponseSigningOptions _options;
    private bool _signed;

    /// <summary>Builds the injector head (<see cref="Canonicalization.InjectorHead.Create"/>) for <paramref name="origin"/>.</summary>
    public EntrySigner(HttpResponseHead origin, InjectorPrivateKey key, ResponseSigningOptions options)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _key = key;
        _options = options;
        InjectorHead = Canonicalization.InjectorHead.Create(origin, options.Uri, options.Injection, key, options.BlockSize, options.Version);
    }

    /// <summary>The head the injector sends: canonical fields, Ouinet fields, Sig0, <c>Transfer-Encoding</c>, <c>Trailer</c> (C5b).</summary>
    public HttpResponseHead InjectorHead { get; }

    /// <summary>
    /// Reads <paramref name="body"/> to its end, signing each block as soon as it is full, and calls
    /// <paramref name="onBlock"/> with it before reading on. An empty body is one zero-length block (C1); a body that
    /// is a multiple of the block size has no extra empty block. Sig1's <c>(created)</c> is the time the body ended.
    /// Can be called once.
    /// </summary>
    public async ValueTask<SignedEntry> SignBodyAsync(Stream body, SignedBlockHandler? onBlock, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (_signed)
        {
            throw new InvalidOperationException("This entry's body was already signed.");
        }
        _signed = true;
        var blockSize = _options.BlockSize;
        var chain = new ChainHasher(_options.Injection.Id, blockSize);
        using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long dataSize = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(blockSize);
        try
        {
            while (true)
            {
                // Whole blocks, whatever sizes the source reads in: a block is signed only once it is complete.
                var n = await body.ReadAtLeastAsync(buffer.AsMemory(0, blockSize), blockSize, throwOnEndOfStream: false, cancellationToken);
                if (n == 0 && chain.BlockIndex > 0)
                {
                    break;
                }
                var data = buffer.AsMemory(0, n);
                dataSize += n;
                var (block, signature) = DigestAlongside.Run(digest, buffer, n, () => chain.SignNext(_key, buffer.AsSpan(0, n)));
                if (onBlock is not null)
                {
                    await onBlock(SignedBlock.From(block, signature, n), data, cancellationToken);
                }
                if (n < blockSize)
                {
                    break;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        var created = _options.TimeProvider.GetUtcNow().ToUnixTimeSeconds();
        return Complete(dataSize, DigestHeader.FromSha256(digest.GetHashAndReset()), created, chain.BlockIndex);
    }

    private SignedEntry Complete(long dataSize, DigestHeader digest, long created, long blockCount)
    {
        // C5d order; Sig1's list then ends "x-ouinet-data-size digest" (C5c).
        var trailer = new HttpFields();
        trailer.Add(OuinetHeaders.DataSize, DataSizeHeader.Format(dataSize));
        trailer.Add(OuinetHeaders.Digest, digest.Format());
        var sig1 = HeadSigner.SignFull(_key, InjectorHead, trailer, created);
        trailer.Add(OuinetHeaders.Sig1, sig1.Format());

        var stored = new HttpResponseHead(InjectorHead.StatusCode, InjectorHead.Reason, HttpProtocolVersion.Http11);
        foreach (var field in InjectorHead.Fields)
        {
            // Framing goes, and Sig0 too: Sig1 covers all it did, with the same key (C2).
            if (!HeadSigner.IsUnsigned(field.Name))
            {
                stored.Fields.Add(field.Name, field.Value);
            }
        }
        foreach (var field in trailer)
        {
            stored.Fields.Add(field.Name, field.Value);
        }
        return new SignedEntry(stored, trailer, dataSize, digest, sig1, blockCount);
    }
}
