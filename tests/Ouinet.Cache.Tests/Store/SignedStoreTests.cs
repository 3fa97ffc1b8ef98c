using Microsoft.Extensions.Logging;
using Ouinet.Cache.Storage;
using Ouinet.Cache.Store;
using Ouinet.Cache.Tests.Support;

namespace Ouinet.Cache.Tests.Store;

public sealed class SignedStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new("store");

    private string Repository => _temp.Combine(".ouinet");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void StaticCacheVector_IsIndexedWithSizesInjectionsAndGroups()
    {
        var root = TestPaths.Vector("static-cache");
        var store = SignedStore.Open(Path.Combine(root, ".ouinet"), root, new SignedStoreOptions { ReadOnly = true });
        Assert.Equal(5, store.Count);
        Assert.Equal(12 + 204_800 + 0 + 88 + 16, store.TotalBytes);
        Assert.Empty(store.ScanProblems);
        var hello = store.Find("https://example.com/hello");
        Assert.NotNull(hello);
        Assert.Equal(("qwertyuiop-12345", 1584748800L, 12L), (hello.InjectionId, hello.InjectionTimestamp, hello.DataSize));
        Assert.All(store.Entries, e => Assert.Equal(["example.com"], e.Groups));
    }

    [Fact(Timeout = 10_000)]
    public async Task Remove_TakesTheEntryAndItsGroupItemAway()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = SignedStore.Open(Repository);
        var hello = SignedEntry.FromVector("hello");
        var aligned = SignedEntry.FromVector("aligned");
        await hello.WriteAsync(store, "example.com", ct);
        await aligned.WriteAsync(store, "example.com", ct);
        Assert.Equal(28, store.TotalBytes);

        Assert.True(store.Remove(hello.Uri));
        Assert.False(store.Remove(hello.Uri));
        Assert.Null(store.TryOpen(hello.Uri));
        Assert.False(Directory.Exists(store.EntryDirectory(hello.Uri)));
        Assert.Empty(Directory.EnumerateDirectories(Path.GetDirectoryName(store.EntryDirectory(hello.Uri))!));
        Assert.Equal([aligned.Uri], store.Groups.Items("example.com"));
        Assert.Equal((1, 16L), (store.Count, store.TotalBytes));

        var reopened = SignedStore.Open(Repository);
        Assert.Equal([aligned.Uri], reopened.Entries.Select(e => e.Uri));
    }

    [Fact(Timeout = 10_000)]
    public async Task Purge_KeepsOnlyEntriesOfPinnedGroups()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = SignedStore.Open(Repository);
        await SignedEntry.FromVector("hello").WriteAsync(store, "pinned.example", ct);
        await SignedEntry.FromVector("aligned").WriteAsync(store, "other.example", ct);
        await SignedEntry.FromVector("empty").WriteAsync(store, null, ct);
        Assert.True(store.Groups.SetPinned("pinned.example", true));

        Assert.Equal(2, store.Purge());
        Assert.Equal(["https://example.com/hello"], store.Entries.Select(e => e.Uri));
        Assert.Equal(["pinned.example"], store.Groups.Groups());
    }

    [Fact(Timeout = 10_000)]
    public async Task ReplacingAnEntry_UpdatesTheIndexAndKeepsItsGroups()
    {
        var ct = TestContext.Current.CancellationToken;
        using var key = TestKeys.Trusted();
        var store = SignedStore.Open(Repository);
        await SignedEntry.Create(key, "https://example.com/x", new byte[100], 16, "first", 1000).WriteAsync(store, "a", ct);
        await SignedEntry.Create(key, "https://example.com/x", new byte[40], 16, "second", 2000).WriteAsync(store, "b", ct);
        var info = Assert.Single(store.Entries);
        Assert.Equal(("second", 2000L, 40L), (info.InjectionId, info.InjectionTimestamp, info.DataSize));
        Assert.Equal(["a", "b"], info.Groups);
        Assert.Equal(40, store.TotalBytes);
        Assert.Equal(["a", "b"], SignedStore.Open(Repository).Find("https://example.com/x")!.Groups.Order());
    }

    [Fact(Timeout = 10_000)]
    public async Task MalformedDirectories_AreSkippedReportedAndLeftInPlace()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = SignedStore.Open(Repository);
        var hello = SignedEntry.FromVector("hello");
        var aligned = SignedEntry.FromVector("aligned");
        await hello.WriteAsync(store, null, ct);
        await aligned.WriteAsync(store, null, ct);

        // hello's files under another URI's folder; a garbage head; stray files and folders.
        var wrongPlace = store.EntryDirectory("https://example.com/other");
        Directory.CreateDirectory(Path.GetDirectoryName(wrongPlace)!);
        CopyDirectory(store.EntryDirectory(hello.Uri), wrongPlace);
        await File.WriteAllTextAsync(Path.Combine(store.EntryDirectory(aligned.Uri), "head"), "not a head", ct);
        var data = Path.Combine(Repository, EntryLocation.DataDirectoryName);
        await File.WriteAllTextAsync(Path.Combine(data, "README"), "stray", ct);
        Directory.CreateDirectory(Path.Combine(data, "zz"));

        var logger = new ListLogger();
        var reopened = SignedStore.Open(Repository, logger: logger);
        Assert.Equal([hello.Uri], reopened.Entries.Select(e => e.Uri));
        Assert.Equal(4, reopened.SkippedCount);
        Assert.Contains(reopened.ScanProblems, p => p.StartsWith(wrongPlace, StringComparison.Ordinal) && p.Contains("not the SHA-1", StringComparison.Ordinal));
        Assert.Contains(reopened.ScanProblems, p => p.StartsWith(reopened.EntryDirectory(aligned.Uri), StringComparison.Ordinal));
        Assert.Equal(4, logger.Entries.Count(e => e.Level == LogLevel.Warning));
        Assert.True(Directory.Exists(wrongPlace));
        Assert.True(File.Exists(Path.Combine(data, "README")));
    }

    [Fact(Timeout = 10_000)]
    public async Task GroupItemsWithoutEntries_AreDroppedWhenAWritableStoreOpens()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = SignedStore.Open(Repository);
        await SignedEntry.FromVector("hello").WriteAsync(store, "example.com", ct);
        store.Groups.Add("example.com", "https://example.com/gone");
        store.Groups.Add("orphans", "https://example.com/gone");

        var reopened = SignedStore.Open(Repository);
        Assert.Equal(["https://example.com/hello"], reopened.Groups.Items("example.com"));
        Assert.Equal(["example.com"], reopened.Groups.Groups());
    }

    [Fact(Timeout = 10_000)]
    public async Task TemporaryGroupFilesOfAnInterruptedWrite_AreDeletedWhenAWritableStoreOpens()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = SignedStore.Open(Repository);
        await SignedEntry.FromVector("hello").WriteAsync(store, "example.com", ct);
        var group = Directory.EnumerateDirectories(Path.Combine(Repository, DhtGroups.DirectoryName)).Single();
        var temporary = Path.Combine(group, "items", EntryLocation.KeyHash("https://example.com/hello") + AtomicFile.TemporaryInfix + "0123456789ab");
        await File.WriteAllTextAsync(temporary, "https://exa", ct);

        var reopened = SignedStore.Open(Repository);
        Assert.False(File.Exists(temporary));
        Assert.Empty(reopened.ScanProblems);
        Assert.Equal(["example.com"], reopened.Find("https://example.com/hello")!.Groups);
    }

    [Fact(Timeout = 10_000)]
    public async Task ReadOnlyStore_RefusesChangesAndLeavesLeftoversAlone()
    {
        var ct = TestContext.Current.CancellationToken;
        var writable = SignedStore.Open(Repository);
        var hello = SignedEntry.FromVector("hello");
        await hello.WriteAsync(writable, null, ct);
        var leftover = AtomicDirectory.NewSiblingPath(writable.EntryDirectory(hello.Uri));
        Directory.CreateDirectory(leftover);

        var store = SignedStore.Open(Repository, options: new SignedStoreOptions { ReadOnly = true });
        Assert.Equal(1, store.Count);
        Assert.Empty(store.ScanProblems);
        Assert.True(Directory.Exists(leftover));
        Assert.Throws<InvalidOperationException>(() => store.BeginEntry(hello.Uri));
        Assert.Throws<InvalidOperationException>(() => store.Remove(hello.Uri));
        Assert.Throws<InvalidOperationException>(() => store.Purge());
        Assert.Throws<DirectoryNotFoundException>(() => SignedStore.Open(_temp.Combine("missing"), options: new SignedStoreOptions { ReadOnly = true }));
    }

    [Fact]
    public void InvalidOptions_AreAllReportedAtOpen()
    {
        var e = Assert.Throws<ArgumentException>(() => SignedStore.Open(Repository, options: new SignedStoreOptions { MaxHeadBytes = 10, LockStripes = 0 }));
        Assert.Contains(nameof(SignedStoreOptions.MaxHeadBytes), e.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(SignedStoreOptions.LockStripes), e.Message, StringComparison.Ordinal);
    }

    internal static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
