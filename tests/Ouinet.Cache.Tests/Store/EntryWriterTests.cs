using Ouinet.Cache.Storage;
using Ouinet.Cache.Store;
using Ouinet.Cache.Tests.Support;
using Ouinet.Protocol;

namespace Ouinet.Cache.Tests.Store;

public sealed class EntryWriterTests : IDisposable
{
    private readonly TempDirectory _temp = new("writer");

    private string Root => _temp.Path;

    private string Repository => _temp.Combine(".ouinet");

    public void Dispose() => _temp.Dispose();

    [Fact(Timeout = 10_000)]
    public async Task WritingTheFiveVectorEntries_ReproducesTheStaticCacheTreeByteForByte()
    {
        var ct = TestContext.Current.CancellationToken;
        Directory.CreateDirectory(_temp.Combine("files"));
        File.Copy(TestPaths.Vector("static-cache", "files", "big.bin"), _temp.Combine("files", "big.bin"));
        var store = SignedStore.Open(Repository, Root);
        foreach (var name in SignedEntry.VectorNames)
        {
            await SignedEntry.FromVector(name).WriteAsync(store, "example.com", ct, bodyPath: name == "big" ? "files/big.bin" : null);
        }

        var expected = TestPaths.Vector("static-cache");
        var expectedFiles = Files(expected);
        Assert.Equal(expectedFiles, Files(Root));
        foreach (var file in expectedFiles)
        {
            Assert.True(
                File.ReadAllBytes(Path.Combine(expected, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(Root, file))),
                $"{file} differs from the vector");
        }
    }

    [Fact(Timeout = 10_000)]
    public async Task EmptyBody_IsStoredAsOneSigsLineAndNoBodyFile()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = SignedStore.Open(Repository);
        var entry = SignedEntry.FromVector("empty");
        await entry.WriteAsync(store, null, ct);
        var dir = store.EntryDirectory(entry.Uri);
        Assert.Equal(SigsLine.LineLength, new FileInfo(Path.Combine(dir, "sigs")).Length);
        Assert.False(File.Exists(Path.Combine(dir, "body")));
        Assert.Equal(["head", "sigs"], Directory.EnumerateFiles(dir).Select(Path.GetFileName).Order());
    }

    [Fact(Timeout = 10_000)]
    public async Task DisposingWithoutCommit_DeletesTheStageAndLeavesTheOldEntry()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = SignedStore.Open(Repository);
        var hello = SignedEntry.FromVector("hello");
        await hello.WriteAsync(store, null, ct);
        string staged;
        await using (var writer = store.BeginEntry(hello.Uri))
        {
            staged = writer.StagingDirectory;
            await writer.AppendBlockAsync(hello.Body.AsMemory(0, 5), hello.Sigs[0], ct);
            Assert.True(Directory.Exists(staged));
        }
        Assert.False(Directory.Exists(staged));
        Assert.Single(Directory.EnumerateDirectories(Path.GetDirectoryName(staged)!));
        using var entry = store.TryOpen(hello.Uri);
        Assert.NotNull(entry);
        Assert.Equal(12, entry.DataSize);
    }

    [Fact(Timeout = 10_000)]
    public async Task CommitWithAMissingBlock_ThrowsAndKeepsTheOldEntry()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = SignedStore.Open(Repository);
        var hello = SignedEntry.FromVector("hello");
        await hello.WriteAsync(store, null, ct);
        await using var writer = store.BeginEntry(hello.Uri);
        await writer.AppendBlockAsync(hello.Body.AsMemory(0, 5), hello.Sigs[0], ct);
        await writer.AppendBlockAsync(hello.Body.AsMemory(5, 5), hello.Sigs[1], ct);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await writer.CommitAsync(hello.StoredHead, null, ct));
        Assert.Contains("2 sigs lines", e.Message, StringComparison.Ordinal);
        using var entry = store.TryOpen(hello.Uri);
        Assert.Equal(3, entry!.BlockCount);
    }

    [Fact(Timeout = 10_000)]
    public async Task BlocksNotCutAtTheHeadsBlockSize_AreRefusedAtCommit()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = SignedStore.Open(Repository);
        var key = TestKeys.Trusted();
        var body = new byte[10];
        var cutIn4 = SignedEntry.Create(key, "https://example.com/x", body, 4, "same-id");
        var cutIn5 = SignedEntry.Create(key, "https://example.com/x", body, 5, "same-id");
        await using var writer = store.BeginEntry(cutIn4.Uri);
        await cutIn4.AppendAsync(writer, ct);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await writer.CommitAsync(cutIn5.StoredHead, null, ct));
        Assert.Contains("sigs lines", e.Message, StringComparison.Ordinal);
        Assert.Null(store.TryOpen(cutIn4.Uri));
    }

    [Fact(Timeout = 10_000)]
    public async Task SigsLineNotMatchingItsBlock_IsRefusedOnAppend()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = SignedStore.Open(Repository);
        var hello = SignedEntry.FromVector("hello");
        await using var writer = store.BeginEntry(hello.Uri);
        await Assert.ThrowsAsync<ArgumentException>(async () => await writer.AppendBlockAsync(hello.Body.AsMemory(5, 5), hello.Sigs[0], ct));
        await Assert.ThrowsAsync<ArgumentException>(async () => await writer.AppendBlockAsync(hello.Body.AsMemory(0, 5), hello.Sigs[1], ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task HeadForAnotherUriOrWithoutSig1OrWithFraming_IsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = SignedStore.Open(Repository);
        var hello = SignedEntry.FromVector("hello");
        var other = SignedEntry.FromVector("aligned");
        var noSig1 = hello.StoredHead.Clone();
        noSig1.Fields.Remove(OuinetHeaders.Sig1);
        var framed = hello.StoredHead.Clone();
        framed.Fields.Add("Transfer-Encoding", "chunked");
        foreach (var head in new[] { other.StoredHead, noSig1, framed })
        {
            await using var writer = store.BeginEntry(hello.Uri);
            await hello.AppendAsync(writer, ct);
            await Assert.ThrowsAsync<ArgumentException>(async () => await writer.CommitAsync(head, null, ct));
        }
        Assert.Null(store.TryOpen(hello.Uri));
        Assert.Equal(0, store.Count);
    }

    [Fact(Timeout = 10_000)]
    public async Task BodyPathEntry_NeedsAStaticRootAndAFileOfTheDataSize()
    {
        var ct = TestContext.Current.CancellationToken;
        var big = SignedEntry.FromVector("big");
        var noRoot = SignedStore.Open(Repository);
        await using (var writer = noRoot.BeginEntry(big.Uri))
        {
            Assert.Throws<InvalidOperationException>(() => writer.UseBodyPath("files/big.bin"));
        }

        var store = SignedStore.Open(Repository, Root);
        Directory.CreateDirectory(_temp.Combine("files"));
        await File.WriteAllBytesAsync(_temp.Combine("files", "big.bin"), big.Body.AsMemory(0, 1000), ct);
        await using (var writer = store.BeginEntry(big.Uri))
        {
            Assert.Throws<ArgumentException>(() => writer.UseBodyPath("../big.bin"));
            await big.AppendAsync(writer, ct, bodyPath: "files/big.bin");
            var e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await writer.CommitAsync(big.StoredHead, null, ct));
            Assert.Contains("1000 bytes", e.Message, StringComparison.Ordinal);
        }
        Assert.Null(store.TryOpen(big.Uri));
    }

    [Fact(Timeout = 10_000)]
    public async Task WriterAfterCommit_RefusesMoreWrites()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = SignedStore.Open(Repository);
        var hello = SignedEntry.FromVector("hello");
        await using var writer = store.BeginEntry(hello.Uri);
        await hello.AppendAsync(writer, ct);
        await writer.CommitAsync(hello.StoredHead, null, ct);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await writer.CommitAsync(hello.StoredHead, null, ct));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await writer.AppendBlockAsync(hello.Body, hello.Sigs[0], ct));
    }

    private static List<string> Files(string root) =>
        [.. Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal)];
}
