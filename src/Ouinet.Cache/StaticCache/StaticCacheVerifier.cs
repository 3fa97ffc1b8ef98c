using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Ouinet.Cache.Storage;
using Ouinet.Protocol;
using Ouinet.Protocol.Keys;

namespace Ouinet.Cache.StaticCache;

/// <summary>
/// Verifies a static cache (the spec's "Cache exchange format"): every <c>data-v3</c> entry against the trusted injector
/// key, in the reference verifier's order (see <see cref="EntryVerifier"/>), and the <c>dht_groups</c> folders. Bad data
/// never throws: each entry gets a result naming the reference error code and what was wrong, and anything else out of
/// place is a problem in the report. Only the caller's cancellation ends it early.
/// </summary>
public static class StaticCacheVerifier
{
    /// <inheritdoc cref="VerifyAsync(string, string?, InjectorPublicKey, ProtocolVersion, ILogger, CancellationToken)"/>
    public static Task<StaticCacheReport> VerifyAsync(
        string repository, string? staticRoot, InjectorPublicKey trustedKey, ProtocolVersion version, CancellationToken cancellationToken = default) =>
        VerifyAsync(repository, staticRoot, trustedKey, version, NullLogger.Instance, cancellationToken);

    /// <summary>
    /// Verifies the repository <paramref name="repository"/> (holding <c>data-v3</c> and <c>dht_groups</c>), resolving
    /// <c>body-path</c> files under <paramref name="staticRoot"/>. Rejected entries and problems are logged at Warning.
    /// </summary>
    public static async Task<StaticCacheReport> VerifyAsync(
        string repository, string? staticRoot, InjectorPublicKey trustedKey, ProtocolVersion version, ILogger logger, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(repository);
        ArgumentNullException.ThrowIfNull(trustedKey);
        ArgumentNullException.ThrowIfNull(logger);
        repository = Path.GetFullPath(repository);
        var verifier = new EntryVerifier(repository, staticRoot is null ? null : Path.GetFullPath(staticRoot), trustedKey, version, HeadFile.DefaultMaxBytes);
        var problems = new List<StaticCacheProblem>();
        var entryDirectories = FindEntries(repository, problems);
        var results = new StaticCacheEntryResult[entryDirectories.Count];
        await Parallel.ForAsync(0, entryDirectories.Count, new ParallelOptions
        {
            CancellationToken = cancellationToken,
            MaxDegreeOfParallelism = Environment.ProcessorCount,
        }, async (i, ct) => results[i] = await verifier.VerifyAsync(entryDirectories[i], ct).ConfigureAwait(false)).ConfigureAwait(false);

        var groups = GroupVerifier.Verify(repository, problems, cancellationToken);
        foreach (var rejected in results.Where(r => !r.IsValid))
        {
            Log.StaticEntryRejected(logger, rejected.Directory, rejected.Error, rejected.Message);
        }
        foreach (var problem in problems)
        {
            Log.StaticCacheProblem(logger, problem.Path, problem.Error, problem.Message);
        }
        var report = new StaticCacheReport(repository, results, problems, groups);
        var valid = results.Count(r => r.IsValid);
        Log.StaticCacheVerified(logger, repository, valid, results.Length, problems.Count);
        return report;
    }

    /// <summary>Verifies the single entry folder <paramref name="entryDirectory"/> of <paramref name="repository"/>.</summary>
    public static Task<StaticCacheEntryResult> VerifyEntryAsync(
        string repository, string entryDirectory, string? staticRoot, InjectorPublicKey trustedKey, ProtocolVersion version, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(repository);
        ArgumentException.ThrowIfNullOrEmpty(entryDirectory);
        ArgumentNullException.ThrowIfNull(trustedKey);
        var verifier = new EntryVerifier(Path.GetFullPath(repository), staticRoot is null ? null : Path.GetFullPath(staticRoot), trustedKey, version, HeadFile.DefaultMaxBytes);
        return verifier.VerifyAsync(Path.GetFullPath(entryDirectory), cancellationToken);
    }

    /// <summary>
    /// The entry folders <c>data-v3/&lt;2 hex&gt;/&lt;38 hex&gt;</c>; anything else there is reported as a problem.
    /// </summary>
    private static List<string> FindEntries(string repository, List<StaticCacheProblem> problems)
    {
        var entries = new List<string>();
        var data = Path.Combine(repository, EntryLocation.DataDirectoryName);
        if (!Directory.Exists(data))
        {
            problems.Add(new(data, OuinetVerificationError.Format, "no data-v3 folder: not a static cache repository"));
            return entries;
        }
        foreach (var prefix in List(data, problems))
        {
            var prefixName = Path.GetFileName(prefix);
            if (!Directory.Exists(prefix) || !EntryLocation.IsPrefixName(prefixName))
            {
                problems.Add(new(prefix, OuinetVerificationError.Format, "not an entry prefix folder (two lower-case hex digits)"));
                continue;
            }
            foreach (var entry in List(prefix, problems))
            {
                var name = Path.GetFileName(entry);
                if (!Directory.Exists(entry) || !EntryLocation.IsEntryDirectoryName(prefixName, name))
                {
                    problems.Add(new(entry, OuinetVerificationError.Format, AtomicDirectory.IsLeftover(name)
                        ? "a leftover of an interrupted write"
                        : "not an entry folder (38 lower-case hex digits)"));
                    continue;
                }
                entries.Add(entry);
            }
        }
        return entries;
    }

    private static List<string> List(string directory, List<StaticCacheProblem> problems)
    {
        try
        {
            return [.. Directory.EnumerateFileSystemEntries(directory).Order(StringComparer.Ordinal)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add(new(directory, OuinetVerificationError.Format, $"cannot be listed: {e.Message}"));
            return [];
        }
    }
}
