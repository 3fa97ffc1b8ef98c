using Ouinet.Protocol.Streams;
using Ouinet.Cache.Storage;

namespace Ouinet.Cache.Store;

/// <summary>
/// Stores a response while its signatures are being verified: each verified block goes to the staged entry (and to
/// <c>onBlock</c>, e.g. the browser), and the entry becomes visible only once the whole response verified. A failure
/// anywhere discards the stage, so nothing unverified is ever stored as verified.
/// </summary>
public static class VerifiedEntryRecorder
{
    /// <summary>
    /// Reads <paramref name="reader"/> to its end, storing the entry in <paramref name="store"/>. Returns false (after
    /// still passing every block on) when the response cannot be stored: a complete-signature-only response has no
    /// block signatures for a <c>sigs</c> file, and a range is not a whole entry. Verification failures propagate as
    /// <see cref="Ouinet.Protocol.OuinetVerificationException"/>.
    /// </summary>
    public static async ValueTask<bool> RecordAsync(
        SignedStore store,
        SignedResponseReader reader,
        string? group,
        Func<VerifiedBlock, CancellationToken, ValueTask>? onBlock = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(reader);
        var storable = reader.Kind == SignedResponseKind.Stream;
        await using var entry = storable ? store.BeginEntry(reader.Uri) : null;
        while (await reader.ReadBlockAsync(cancellationToken) is { } block)
        {
            if (entry is not null && block.Block is { } signed)
            {
                var line = SigsLine.Create(signed.Offset, signed.Signature.Span, signed.Hash.Span, signed.PreviousChainedHash.Span);
                await entry.AppendBlockAsync(block.Data, line, cancellationToken);
            }
            if (onBlock is not null)
            {
                await onBlock(block, cancellationToken);
            }
        }
        if (entry is null || reader.StoredHead is not { } head)
        {
            return false;
        }
        await entry.CommitAsync(head, group, cancellationToken);
        return true;
    }
}
