using System.Buffers;
using System.Security.Cryptography;
using Ouinet.Cache.Storage;
using Ouinet.Cache.Store;
using Ouinet.Http;
using Ouinet.Protocol;
using Ouinet.Protocol.Blocks;
using Ouinet.Protocol.Headers;
using Ouinet.Protocol.Keys;
using Ouinet.Protocol.Signatures;

namespace Ouinet.Cache.StaticCache;

/// <summary>
/// Checks one <c>data-v3</c> entry in the reference verifier's order: head → path → <c>X-Ouinet-Version</c> →
/// <c>X-Ouinet-Sig0</c> (if present) → <c>X-Ouinet-Sig1</c> → <c>X-Ouinet-BSigs</c> and coverage → body presence and
/// size → per block (offset, <c>hash(i)</c>, stored <c>chained-hash(i-1)</c>, signature) → <c>sigs</c> line count →
/// <c>Digest</c>. The body is read once, a block at a time into one pooled buffer; <c>sigs</c> one line per block;
/// nothing is read beyond what the head's data size implies.
/// </summary>
internal sealed class EntryVerifier(string repository, string? staticRoot, InjectorPublicKey trustedKey, ProtocolVersion version, int maxHeadBytes)
{
    private static readonly byte[] NoChainedHash = new byte[BlockHash.Size];

    public async Task<StaticCacheEntryResult> VerifyAsync(string directory, CancellationToken cancellationToken)
    {
        string? uri = null;
        try
        {
            var files = EntryFiles.Open(directory, out var error);
            if (files is null)
            {
                return Fail(OuinetVerificationError.Format, error ?? "the entry folder vanished");
            }
            using (files)
            {
                return await VerifyAsync(files, u => uri = u, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(OuinetVerificationError.Format, $"cannot be read: {e.Message}");
        }

        StaticCacheEntryResult Fail(OuinetVerificationError code, string message) => new(directory, uri, code, message);
    }

    private async Task<StaticCacheEntryResult> VerifyAsync(EntryFiles files, Action<string> foundUri, CancellationToken cancellationToken)
    {
        var directory = files.Directory;
        string? uri = null;
        StaticCacheEntryResult Fail(OuinetVerificationError code, string message) => new(directory, uri, code, message);

        // Head.
        var head = files.ReadHead(maxHeadBytes, out var error);
        if (head is null)
        {
            return Fail(OuinetVerificationError.Format, error!);
        }
        if (!StoredHeadFields.TryGetSingle(head.Fields, OuinetHeaders.Uri, out uri, out error))
        {
            return Fail(OuinetVerificationError.Format, $"head: {error}");
        }
        foundUri(uri);

        // Path.
        var expected = EntryLocation.RelativeDirectory(uri);
        var actual = Path.GetRelativePath(repository, directory);
        if (!string.Equals(actual, expected, StringComparison.Ordinal))
        {
            return Fail(OuinetVerificationError.Path, $"the entry is in {actual}, but the SHA-1 of its {OuinetHeaders.Uri} puts it in {expected}");
        }

        // Version.
        if (!StoredHeadFields.TryGetSingle(head.Fields, OuinetHeaders.Version, out var versionText, out error))
        {
            return Fail(OuinetVerificationError.Version, $"head: {error}");
        }
        if (!ProtocolVersion.TryParse(versionText, out var entryVersion) || entryVersion != version)
        {
            return Fail(OuinetVerificationError.Version, $"{OuinetHeaders.Version} is {versionText}, expected {version}");
        }

        // Signatures: Sig0 when present, then Sig1, which a complete entry must have.
        var sig0 = ReadSignature(head, OuinetHeaders.Sig0, out var failure);
        if (failure is not null)
        {
            return Fail(failure.Value.Code, failure.Value.Message);
        }
        if (sig0 is not null && Check(sig0, head, HeadSigner.RequiredHeadCoverage, OuinetHeaders.Sig0) is { } sig0Failure)
        {
            return Fail(sig0Failure.Code, sig0Failure.Message);
        }
        var sig1 = ReadSignature(head, OuinetHeaders.Sig1, out failure);
        if (failure is not null)
        {
            return Fail(failure.Value.Code, failure.Value.Message);
        }
        if (sig1 is null)
        {
            return Fail(OuinetVerificationError.MissingSig1, $"no {OuinetHeaders.Sig1}: an incomplete entry");
        }
        if (Check(sig1, head, HeadSigner.RequiredFullCoverage, OuinetHeaders.Sig1) is { } sig1Failure)
        {
            return Fail(sig1Failure.Code, sig1Failure.Message);
        }

        // BSigs, and every field covered by a signature.
        if (!StoredHeadFields.TryGetSingle(head.Fields, OuinetHeaders.BlockSignatures, out var bsigsText, out error))
        {
            return Fail(OuinetVerificationError.SignatureFormat, $"head: {error}");
        }
        if (!BlockSignaturesHeader.TryParse(bsigsText, out var bsigs, out var parseError))
        {
            return Fail(OuinetVerificationError.SignatureFormat, $"{OuinetHeaders.BlockSignatures} is malformed ({parseError})");
        }
        if (!bsigs.TryGetPublicKey(out var bsigsKey) || bsigsKey != trustedKey)
        {
            return Fail(OuinetVerificationError.KeyId, $"{OuinetHeaders.BlockSignatures} keyId is not the trusted injector key");
        }
        if (!string.Equals(bsigs.Algorithm, HttpSignature.Hs2019, StringComparison.Ordinal))
        {
            return Fail(OuinetVerificationError.Algorithm, $"{OuinetHeaders.BlockSignatures} algorithm is {bsigs.Algorithm}, not {HttpSignature.Hs2019}");
        }
        foreach (var field in head.Fields)
        {
            var name = field.Name;
            var unsignedAllowed = OuinetHeaders.IsSignatureField(name)
                || (sig0 is not null && name.Equals(OuinetHeaders.BlockSignatures, StringComparison.OrdinalIgnoreCase)); // C5a: spec form
            if (!unsignedAllowed && !sig1.Covers(name) && sig0?.Covers(name) != true)
            {
                return Fail(OuinetVerificationError.Coverage, sig0 is null && name.Equals(OuinetHeaders.BlockSignatures, StringComparison.OrdinalIgnoreCase)
                    ? $"{OuinetHeaders.BlockSignatures} is not covered by {OuinetHeaders.Sig1}, and there is no {OuinetHeaders.Sig0} (C5a)"
                    : $"{name} is covered by no signature");
            }
        }
        if (!StoredHeadFields.TryGetSingle(head.Fields, OuinetHeaders.Injection, out var injectionText, out error)
            || !StoredHeadFields.TryGetSingle(head.Fields, OuinetHeaders.DataSize, out var sizeText, out error)
            || !StoredHeadFields.TryGetSingle(head.Fields, OuinetHeaders.Digest, out var digestText, out error))
        {
            return Fail(OuinetVerificationError.Format, $"head: {error}");
        }
        if (!InjectionHeader.TryParse(injectionText, out var injection, out parseError))
        {
            return Fail(OuinetVerificationError.Format, $"{OuinetHeaders.Injection} is malformed ({parseError})");
        }
        if (!DataSizeHeader.TryParse(sizeText, out var dataSize))
        {
            return Fail(OuinetVerificationError.Format, $"{OuinetHeaders.DataSize} is not a size: {sizeText}");
        }
        if (!DigestHeader.TryParse(digestText, out var digest, out parseError))
        {
            return Fail(OuinetVerificationError.Format, $"{OuinetHeaders.Digest} is malformed ({parseError})");
        }

        // Body presence and size.
        var bodyStatus = files.TryResolveBody(dataSize, staticRoot, out var body, out error);
        if (bodyStatus != BodyStatus.Ok)
        {
            return Fail(bodyStatus == BodyStatus.WrongSize ? OuinetVerificationError.DataSize : OuinetVerificationError.Body, error!);
        }
        var ownsBody = !ReferenceEquals(body, files.Body);
        try
        {
            var outcome = await VerifyBlocksAsync(files.Sigs, body, injection, bsigs.BlockSize, dataSize, digest, cancellationToken).ConfigureAwait(false);
            return Fail(outcome.Code, outcome.Message);
        }
        finally
        {
            if (ownsBody)
            {
                body?.Dispose();
            }
        }
    }

    private async Task<(OuinetVerificationError Code, string Message)> VerifyBlocksAsync(
        EntryFile? sigs, EntryFile? body, InjectionHeader injection, int blockSize, long dataSize, DigestHeader digest, CancellationToken cancellationToken)
    {
        var sigsLength = sigs?.Length ?? 0;
        if (sigsLength % SigsLine.LineLength != 0)
        {
            return (OuinetVerificationError.SigsFormat, $"sigs is {sigsLength} bytes, not a whole number of {SigsLine.LineLength}-byte lines");
        }
        var lines = sigsLength / SigsLine.LineLength;

        // An empty body has no block, or one zero-length block when sigs has a line for it (C1).
        var blocks = dataSize == 0 ? Math.Min(lines, 1) : StoredHeadFields.BlocksFor(dataSize, blockSize);
        var chain = new ChainHasher(injection.Id, blockSize);
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(blockSize, Math.Max(dataSize, 1)));
        try
        {
            for (long i = 0; i < blocks; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var offset = i * blockSize;
                if (i >= lines)
                {
                    return (OuinetVerificationError.SignatureCount, $"sigs has {lines} lines, but the body has {blocks} blocks: no line for block {i}");
                }
                var line = SigsFile.TryReadLine(sigs!, i, out var error);
                if (line is null)
                {
                    return (OuinetVerificationError.SigsFormat, $"sigs {error}");
                }
                if (line.Offset != offset)
                {
                    return (OuinetVerificationError.SigsFormat, $"sigs line {i + 1} has offset {line.Offset}, but block {i} is at {offset}");
                }
                var data = buffer.AsMemory(0, (int)Math.Min(blockSize, dataSize - offset));
                if (!data.IsEmpty && !await body!.TryReadExactlyAsync(data, offset, cancellationToken).ConfigureAwait(false))
                {
                    return (OuinetVerificationError.DataSize, $"the body ended before block {i} (changed while being read?)");
                }
                var hash = SHA512.HashData(data.Span);
                if (!hash.AsSpan().SequenceEqual(line.BlockHash))
                {
                    return (OuinetVerificationError.BlockHash, $"block {i} (offset {offset}): hash(i) in sigs is not the SHA-512 of the body block");
                }
                var expectedPrevious = i == 0 ? NoChainedHash : chain.PreviousChainedHash;
                if (!line.PreviousChainedHash.AsSpan().SequenceEqual(expectedPrevious))
                {
                    return (OuinetVerificationError.Chain, i == 0
                        ? "block 0: the chained-hash(-1) column of sigs line 1 is not 64 NUL bytes"
                        : $"block {i} (offset {offset}): the chained-hash(i-1) column of sigs line {i + 1} is not the chained hash of block {i - 1}");
                }
                var chained = chain.ComputeFromHash(hash);
                if (!trustedKey.Verify(chained.SignedMessage.Span, line.Signature))
                {
                    return (OuinetVerificationError.BlockSignature, $"block {i} (offset {offset}): the block signature does not verify");
                }
                chain.Advance(chained, line.Signature);
                sha256.AppendData(data.Span);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if (lines > blocks)
        {
            return (OuinetVerificationError.SignatureCount, $"sigs has {lines} lines for {blocks} blocks");
        }
        if (!CryptographicOperations.FixedTimeEquals(sha256.GetHashAndReset(), digest.Sha256))
        {
            return (OuinetVerificationError.Digest, "the body's SHA-256 is not the Digest");
        }
        return (OuinetVerificationError.None, $"verified: {blocks} blocks, {dataSize} bytes");
    }

    /// <summary>The one <paramref name="name"/> field parsed; null when absent. Twice or malformed is a failure.</summary>
    private static HttpSignature? ReadSignature(HttpResponseHead head, string name, out (OuinetVerificationError Code, string Message)? failure)
    {
        failure = null;
        var values = head.Fields.GetAll(name).ToList();
        if (values.Count == 0)
        {
            return null;
        }
        if (values.Count > 1)
        {
            failure = (OuinetVerificationError.SignatureFormat, $"{name} appears {values.Count} times");
            return null;
        }
        if (!HttpSignature.TryParse(values[0], out var signature, out var error))
        {
            failure = (OuinetVerificationError.SignatureFormat, $"{name} is malformed ({error})");
            return null;
        }
        return signature;
    }

    /// <summary>keyId, algorithm, required coverage, then the signature itself (the reference order).</summary>
    private (OuinetVerificationError Code, string Message)? Check(HttpSignature signature, HttpResponseHead head, IReadOnlyList<string> required, string name)
    {
        var isFull = name == OuinetHeaders.Sig1;
        var result = HeadSigner.Verify(signature, trustedKey, head.StatusCode, head.Fields);
        if (result is HeadVerificationResult.UntrustedKeyId or HeadVerificationResult.UnsupportedAlgorithm)
        {
            return (result.ToVerificationError(isFull), $"{name}: {Describe(result)}");
        }
        foreach (var covered in required)
        {
            if (!signature.Covers(covered))
            {
                return (OuinetVerificationError.Coverage, $"{name} does not cover {covered}");
            }
        }
        return result == HeadVerificationResult.Valid ? null : (result.ToVerificationError(isFull), $"{name}: {Describe(result)}");
    }

    private static string Describe(HeadVerificationResult result) => result switch
    {
        HeadVerificationResult.UntrustedKeyId => "the keyId is not the trusted injector key",
        HeadVerificationResult.UnsupportedAlgorithm => $"the algorithm is not {HttpSignature.Hs2019}",
        HeadVerificationResult.MissingCoveredHeader => "a covered header is missing from the head",
        HeadVerificationResult.BadSignature => "the signature does not verify",
        _ => result.ToString(),
    };
}
