using Ouinet.Protocol;

namespace Ouinet.Cache.StaticCache;

/// <summary>The verdict on one entry directory of a static cache.</summary>
/// <param name="Directory">The entry directory (or the stray path that is not one).</param>
/// <param name="Uri">Its <c>X-Ouinet-URI</c>, when the head could be read that far.</param>
/// <param name="Error">Why it is rejected, in the reference verifier's codes; <see cref="OuinetVerificationError.None"/> when valid.</param>
/// <param name="Message">What exactly was wrong (or, when valid, what was verified).</param>
public sealed record StaticCacheEntryResult(string Directory, string? Uri, OuinetVerificationError Error, string Message)
{
    public bool IsValid => Error == OuinetVerificationError.None;
}

/// <summary>
/// A problem outside the entries: a group folder or item that is inconsistent (<see cref="OuinetVerificationError.Group"/>),
/// or a stray file or folder where entries or groups are expected (<see cref="OuinetVerificationError.Format"/>).
/// </summary>
/// <param name="Path">The file or folder at fault.</param>
/// <param name="Error">The code.</param>
/// <param name="Message">What is wrong.</param>
/// <param name="Group">The group concerned, when its name could be read.</param>
public sealed record StaticCacheProblem(string Path, OuinetVerificationError Error, string Message, string? Group = null);

/// <summary>A readable resource group and the URIs it lists that have an entry directory.</summary>
public sealed record StaticCacheGroup(string Name, string Directory, IReadOnlyList<string> Uris);

/// <summary>Everything <see cref="StaticCacheVerifier.VerifyAsync(string, string?, Protocol.Keys.InjectorPublicKey, ProtocolVersion, CancellationToken)"/> found.</summary>
public sealed record StaticCacheReport(
    string Repository,
    IReadOnlyList<StaticCacheEntryResult> Entries,
    IReadOnlyList<StaticCacheProblem> Problems,
    IReadOnlyList<StaticCacheGroup> Groups)
{
    /// <summary>Every entry valid and nothing else wrong.</summary>
    public bool IsValid => Problems.Count == 0 && Entries.All(e => e.IsValid);

    public IEnumerable<StaticCacheEntryResult> ValidEntries => Entries.Where(e => e.IsValid);

    public IEnumerable<StaticCacheEntryResult> RejectedEntries => Entries.Where(e => !e.IsValid);

    public IEnumerable<StaticCacheProblem> GroupProblems => Problems.Where(p => p.Error == OuinetVerificationError.Group);
}
