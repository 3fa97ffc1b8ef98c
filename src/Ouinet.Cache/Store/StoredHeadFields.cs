using System.Diagnostics.CodeAnalysis;
using Ouinet.Http;
using Ouinet.Protocol;
using Ouinet.Protocol.Headers;

namespace Ouinet.Cache.Store;

/// <summary>
/// The values of a stored head the store itself relies on: which URI, which injection, how the body is cut in blocks
/// and how long it is. Structural only: signatures are the verifier's business.
/// </summary>
internal sealed record StoredHeadFields(string Uri, InjectionHeader Injection, BlockSignaturesHeader BlockSignatures, long DataSize, ProtocolVersion? Version)
{
    public int BlockSize => BlockSignatures.BlockSize;

    /// <summary>Blocks of a non-empty body; 0 for an empty one (which may still have one zero-length block, C1).</summary>
    public long BlockCount => BlocksFor(DataSize, BlockSize);

    public static long BlocksFor(long dataSize, int blockSize) => dataSize == 0 ? 0 : ((dataSize - 1) / blockSize) + 1;

    /// <summary>Whether <paramref name="lines"/> <c>sigs</c> lines fit the body: one per block, or 0 or 1 for an empty body (C1).</summary>
    public bool AcceptsLineCount(long lines) => DataSize == 0 ? lines is 0 or 1 : lines == BlockCount;

    public static StoredHeadFields? TryRead(HttpResponseHead head, out string? error)
    {
        if (!TryGetSingle(head.Fields, OuinetHeaders.Uri, out var uri, out error)
            || !TryGetSingle(head.Fields, OuinetHeaders.Injection, out var injectionText, out error)
            || !TryGetSingle(head.Fields, OuinetHeaders.BlockSignatures, out var bsigsText, out error)
            || !TryGetSingle(head.Fields, OuinetHeaders.DataSize, out var sizeText, out error))
        {
            return null;
        }
        if (!InjectionHeader.TryParse(injectionText, out var injection, out var parseError))
        {
            error = $"{OuinetHeaders.Injection} is malformed ({parseError})";
            return null;
        }
        if (!BlockSignaturesHeader.TryParse(bsigsText, out var bsigs, out parseError))
        {
            error = $"{OuinetHeaders.BlockSignatures} is malformed ({parseError})";
            return null;
        }
        if (!DataSizeHeader.TryParse(sizeText, out var dataSize))
        {
            error = $"{OuinetHeaders.DataSize} is not a size: {sizeText}";
            return null;
        }
        ProtocolVersion? version = null;
        if (head.Fields.Get(OuinetHeaders.Version) is { } versionText && ProtocolVersion.TryParse(versionText, out var parsed))
        {
            version = parsed;
        }
        return new StoredHeadFields(uri, injection, bsigs, dataSize, version);
    }

    /// <summary>The value of a field that must appear exactly once.</summary>
    public static bool TryGetSingle(HttpFields fields, string name, [NotNullWhen(true)] out string? value, out string? error)
    {
        value = null;
        error = null;
        var count = 0;
        foreach (var v in fields.GetAll(name))
        {
            value ??= v;
            count++;
        }
        if (count != 1)
        {
            error = count == 0 ? $"no {name}" : $"{name} appears {count} times";
            value = null;
            return false;
        }
        return value is not null;
    }
}
