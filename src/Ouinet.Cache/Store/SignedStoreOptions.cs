using Ouinet.Cache.Storage;

namespace Ouinet.Cache.Store;

/// <summary>How a <see cref="SignedStore"/> is opened.</summary>
public sealed record SignedStoreOptions
{
    public static SignedStoreOptions Default { get; } = new();

    /// <summary>
    /// Read-only (a static cache, possibly on read-only media): nothing is written, not even crash recovery;
    /// leftovers of interrupted writes are skipped. Writing, removing and purging throw.
    /// </summary>
    public bool ReadOnly { get; init; }

    /// <summary>Largest <c>head</c> file read; a longer one makes its entry corrupt without being read.</summary>
    public int MaxHeadBytes { get; init; } = HeadFile.DefaultMaxBytes;

    /// <summary>How many scan problems (skipped directories and their reasons) <see cref="SignedStore.ScanProblems"/> keeps.</summary>
    public int MaxReportedProblems { get; init; } = 100;

    /// <summary>Locks striped over URIs, taken to open an entry's files and to replace or remove an entry.</summary>
    public int LockStripes { get; init; } = 64;

    /// <summary>Every problem with these options (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxHeadBytes is < 256 or > 16 * 1024 * 1024)
        {
            errors.Add($"{nameof(MaxHeadBytes)} must be between 256 and 16 MiB, not {MaxHeadBytes}.");
        }
        if (MaxReportedProblems < 0)
        {
            errors.Add($"{nameof(MaxReportedProblems)} must not be negative.");
        }
        if (LockStripes is < 1 or > 65536)
        {
            errors.Add($"{nameof(LockStripes)} must be between 1 and 65536, not {LockStripes}.");
        }
        return errors;
    }
}
