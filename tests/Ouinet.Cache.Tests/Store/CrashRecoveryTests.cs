using Ouinet.Cache.Storage;
using Ouinet.Cache.Store;
using Ouinet.Cache.Tests.Support;

namespace Ouinet.Cache.Tests.Store;

/// <summary>
/// A crash at each step of a commit or a removal, simulated by leaving the directories exactly as that step leaves them,
/// then reopening the store: the entry is whole, either the old version or the new one (or gone after a removal).
/// </summary>
public sealed class CrashRecoveryTests : IDisposable
{
    private const string Uri = "https://example.com/versioned";
    private readonly TempDirectory _temp = new("crash");
    private readonly SignedEntry _old;
    private readonly SignedEntry _new;

    public CrashRecoveryTests()
    {
        using var key = TestKeys.Trusted();
        _old = SignedEntry.Create(key, Uri, Enumerable.Repeat((byte)'o', 100).ToArray(), 16, "old-version");
        _new = SignedEntry.Create(key, Uri, Enumerable.Repeat((byte)'n', 40).ToArray(), 16, "new-version");
    }

    public enum Step
    {
        /// <summary>Blocks written to the stage, head not yet.</summary>
        StagedWithoutHead,

        /// <summary>Stage complete, not yet swapped in.</summary>
        StagedComplete,

        /// <summary>Swapped by RENAME_EXCHANGE; the stage path now holds the old version, not yet deleted.</summary>
        ExchangedNotCleaned,

        /// <summary>Fallback path: the old entry moved aside, the new one not yet moved in.</summary>
        FallbackOldMovedAside,

        /// <summary>Fallback path: the new entry in place, the old one still aside.</summary>
        FallbackOldNotDeleted,
    }

    private string Repository => _temp.Combine(".ouinet");

    public void Dispose() => _temp.Dispose();

    [Theory(Timeout = 10_000)]
    [InlineData(Step.StagedWithoutHead, "old-version")]
    [InlineData(Step.StagedComplete, "old-version")]
    [InlineData(Step.ExchangedNotCleaned, "new-version")]
    [InlineData(Step.FallbackOldMovedAside, "old-version")]
    [InlineData(Step.FallbackOldNotDeleted, "new-version")]
    public async Task CrashDuringReplacement_LeavesTheOldOrTheNewEntryWholeAfterReopening(Step step, string survivor)
    {
        var ct = TestContext.Current.CancellationToken;
        var target = await SimulateAsync(step, withOldEntry: true, ct);

        var store = SignedStore.Open(Repository);
        AssertWhole(store, survivor);
        Assert.Equal([Path.GetFileName(target)], Directory.EnumerateDirectories(Path.GetDirectoryName(target)!).Select(Path.GetFileName));
    }

    [Theory(Timeout = 10_000)]
    [InlineData(Step.StagedWithoutHead)]
    [InlineData(Step.StagedComplete)]
    public async Task CrashBeforeTheFirstVersionIsCommitted_LeavesNoEntry(Step step)
    {
        var ct = TestContext.Current.CancellationToken;
        var target = await SimulateAsync(step, withOldEntry: false, ct);
        var store = SignedStore.Open(Repository);
        Assert.Null(store.TryOpen(Uri));
        Assert.Equal(0, store.Count);
        Assert.Empty(Directory.EnumerateDirectories(Path.GetDirectoryName(target)!));
    }

    [Fact(Timeout = 10_000)]
    public async Task CrashDuringRemoval_AfterTheMoveAside_LeavesTheEntryGone()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = SignedStore.Open(Repository);
        await _old.WriteAsync(store, "group", ct);
        var target = store.EntryDirectory(Uri);

        // Remove's first step, then "crash": the directory is aside, the group item still there.
        Assert.NotNull(AtomicDirectory.MoveAsideForDeletion(target));

        var reopened = SignedStore.Open(Repository);
        Assert.Null(reopened.TryOpen(Uri));
        Assert.Equal(0, reopened.Count);
        Assert.Empty(Directory.EnumerateDirectories(Path.GetDirectoryName(target)!));
        Assert.Empty(reopened.Groups.Groups());
    }

    [Fact(Timeout = 10_000)]
    public async Task CrashAfterCommitBeforeTheGroupWasRecorded_KeepsTheEntryWithoutTheGroup()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = SignedStore.Open(Repository);
        await _new.WriteAsync(store, "group", ct);
        Directory.Delete(Path.Combine(Repository, DhtGroups.DirectoryName), recursive: true); // As if the group was never added.
        var reopened = SignedStore.Open(Repository);
        AssertWhole(reopened, "new-version");
        Assert.Empty(reopened.Find(Uri)!.Groups);
    }

    /// <summary>Leaves the repository as a crash at <paramref name="step"/> would; returns the entry's target directory.</summary>
    private async Task<string> SimulateAsync(Step step, bool withOldEntry, CancellationToken ct)
    {
        var store = SignedStore.Open(Repository);
        var target = store.EntryDirectory(Uri);
        if (withOldEntry)
        {
            await _old.WriteAsync(store, null, ct);
        }

        // The new version staged but not committed, as a writer leaves it when the process dies.
        if (step == Step.StagedWithoutHead)
        {
            var abandoned = store.BeginEntry(Uri); // Never committed nor disposed.
            await _new.AppendAsync(abandoned, ct);
            return target;
        }
        var staged = AtomicDirectory.NewSiblingPath(target);
        WriteFiles(_new, staged);

        switch (step)
        {
            case Step.StagedComplete:
                break;
            case Step.ExchangedNotCleaned:
                var swap = target + ".swap";
                Directory.Move(target, swap);
                Directory.Move(staged, target);
                Directory.Move(swap, staged);
                break;
            case Step.FallbackOldMovedAside:
                Directory.Move(target, target + AtomicDirectory.OldSuffix + "crash");
                break;
            case Step.FallbackOldNotDeleted:
                Directory.Move(target, target + AtomicDirectory.OldSuffix + "crash");
                Directory.Move(staged, target);
                break;
        }
        return target;
    }

    /// <summary>The files a committed entry has.</summary>
    private static void WriteFiles(SignedEntry entry, string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Combine(directory, "head"), HeadFile.Format(entry.StoredHead));
        File.WriteAllBytes(Path.Combine(directory, "body"), entry.Body);
        File.WriteAllText(Path.Combine(directory, "sigs"), string.Concat(entry.Sigs.Select(l => l.Format())));
    }

    private void AssertWhole(SignedStore store, string injectionId)
    {
        using var entry = store.TryOpen(Uri);
        Assert.NotNull(entry);
        Assert.Equal(injectionId, entry.Injection.Id);
        var expected = injectionId == "old-version" ? _old : _new;
        Assert.Equal(expected.Body.Length, entry.DataSize);
        Assert.Equal(expected.Sigs, entry.Sigs);
        Assert.Equal(HeadFile.Format(expected.StoredHead), HeadFile.Format(entry.Head));
        Assert.Equal(injectionId, store.Find(Uri)!.InjectionId);
    }
}
