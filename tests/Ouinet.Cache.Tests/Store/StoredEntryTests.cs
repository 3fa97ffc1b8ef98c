using System.Text.Json;
using Microsoft.Extensions.Logging;
using Ouinet.Cache.StaticCache;
using Ouinet.Cache.Storage;
using Ouinet.Cache.Store;
using Ouinet.Cache.Tests.Support;
using Ouinet.Protocol;

namespace Ouinet.Cache.Tests.Store;

public sealed class StoredEntryTests : IDisposable
{
    private readonly TempDirectory _temp = new("reader");

    private string Repository => _temp.Combine(".ouinet");

    public void Dispose() => _temp.Dispose();

    [Theory(Timeout = 10_000)]
    [InlineData(8, 0)]
    [InlineData(8, 1)]
    [InlineData(8, 8)]
    [InlineData(8, 16)]
    [InlineData(8, 17)]
    [InlineData(1, 5)]
    [InlineData(4096, 100_000)]
    [InlineData(65536, 3 * 65536)]
    [InlineData(65536, 200_000)]
    public async Task WrittenEntry_ReadsBackIdenticallyAndVerifies(int blockSize, int size)
    {
        var ct = TestContext.Current.CancellationToken;
        var body = new byte[size];
        new Random(size * 31 + blockSize).NextBytes(body);
        using var key = TestKeys.Trusted();
        var written = SignedEntry.Create(key, $"https://example.com/r/{blockSize}/{size}", body, blockSize);
        var store = SignedStore.Open(Repository);
        await written.WriteAsync(store, "g", ct);

        using (var entry = store.TryOpen(written.Uri))
        {
            Assert.NotNull(entry);
            Assert.Equal(HeadFile.Format(written.StoredHead), HeadFile.Format(entry.Head));
            Assert.Equal(size, entry.DataSize);
            Assert.Equal(blockSize, entry.BlockSize);
            Assert.Equal(written.Sigs, entry.Sigs);
            Assert.Equal(Math.Max(1, (size + blockSize - 1) / blockSize), entry.BlockCount);

            var read = new MemoryStream();
            await foreach (var block in entry.ReadBlocksAsync(0, entry.BlockCount - 1, ct))
            {
                Assert.Equal(block.Index * blockSize, block.Offset);
                Assert.Equal(written.Sigs[(int)block.Index], block.Sigs);
                read.Write(block.Data.Span);
            }
            Assert.Equal(body, read.ToArray());

            for (var i = 0; i < entry.BlockCount; i++)
            {
                Assert.Equal(i == 0 ? [] : written.Sigs[i].PreviousChainedHash, entry.PreviousChainedHash(i).ToArray());
                Assert.Equal(i == 0 ? [] : written.Sigs[i - 1].Signature, entry.PreviousSignature(i).ToArray());
            }

            await using var stream = entry.OpenBodyStream();
            var streamed = new MemoryStream();
            await stream.CopyToAsync(streamed, ct);
            Assert.Equal(body, streamed.ToArray());
        }

        var result = await StaticCacheVerifier.VerifyEntryAsync(Repository, store.EntryDirectory(written.Uri), null, key.PublicKey, ProtocolVersion.V6, ct);
        Assert.True(result.IsValid, result.Message);

        var reopened = SignedStore.Open(Repository);
        var info = Assert.Single(reopened.Entries);
        Assert.Equal(new StoredEntryInfo(written.Uri, size, info.InjectionId, 1584748800, ProtocolVersion.V6, info.Groups), info);
        Assert.Equal(["g"], info.Groups);
    }

    [Fact(Timeout = 10_000)]
    public async Task RandomEntriesOfRandomSizes_RoundTripThroughAReopenedStore()
    {
        var ct = TestContext.Current.CancellationToken;
        using var key = TestKeys.Trusted();
        var random = new Random(2024);
        var store = SignedStore.Open(Repository);
        var written = new List<SignedEntry>();
        for (var i = 0; i < 30; i++)
        {
            var blockSize = random.Next(1, 5) switch { 1 => 1, 2 => 7, 3 => 64, _ => 1024 };
            var size = random.Next(4) == 0 ? blockSize * random.Next(0, 4) : random.Next(0, 3 * blockSize + 1);
            var body = new byte[size];
            random.NextBytes(body);
            var entry = SignedEntry.Create(key, $"https://example.com/random/{i}", body, blockSize);
            await entry.WriteAsync(store, i % 3 == 0 ? "thirds" : null, ct);
            written.Add(entry);
        }

        var reopened = SignedStore.Open(Repository);
        Assert.Equal(written.Count, reopened.Count);
        Assert.Equal(written.Sum(e => (long)e.Body.Length), reopened.TotalBytes);
        foreach (var expected in written)
        {
            using var entry = reopened.TryOpen(expected.Uri);
            Assert.NotNull(entry);
            Assert.Equal(expected.Sigs, entry.Sigs);
            var read = new MemoryStream();
            await foreach (var block in entry.ReadBlocksAsync(0, entry.BlockCount - 1, ct))
            {
                read.Write(block.Data.Span);
            }
            Assert.Equal(expected.Body, read.ToArray());
        }
        Assert.Equal(10, reopened.Groups.Items("thirds").Count);
    }

    [Fact(Timeout = 10_000)]
    public async Task BlocksInTheMiddleOfABodyPathEntry_ComeWithThePreviousBlocksChainedHashAndSignature()
    {
        var ct = TestContext.Current.CancellationToken;
        var root = TestPaths.Vector("static-cache");
        var store = SignedStore.Open(Path.Combine(root, ".ouinet"), root, new SignedStoreOptions { ReadOnly = true });
        using var entry = store.TryOpen("https://example.com/big.bin");
        Assert.NotNull(entry);
        using var blocks = JsonDocument.Parse(File.ReadAllText(TestPaths.Vector("vectors", "big", "blocks.json")));
        var body = File.ReadAllBytes(TestPaths.Vector("vectors", "big", "body.bin"));

        var seen = new List<long>();
        await foreach (var block in entry.ReadBlocksAsync(1, 3, ct))
        {
            seen.Add(block.Index);
            Assert.Equal(body.AsSpan((int)block.Offset, block.Data.Length), block.Data.Span);
            var previous = blocks.RootElement[(int)block.Index - 1];
            Assert.Equal(previous.GetProperty("chained_hash_hex").GetString(), Convert.ToHexStringLower(block.PreviousChainedHash.Span));
            Assert.Equal(previous.GetProperty("chained_hash_hex").GetString(), Convert.ToHexStringLower(entry.PreviousChainedHash(block.Index).Span));
            Assert.Equal(previous.GetProperty("signature_hex").GetString(), Convert.ToHexStringLower(entry.PreviousSignature(block.Index).Span));
        }
        Assert.Equal([1L, 2, 3], seen);
        Assert.Equal(8192, entry.BlockLength(3));
        Assert.True(entry.PreviousChainedHash(0).IsEmpty);

        var buffer = new byte[100];
        Assert.Equal(100, await entry.ReadAsync(204_700, buffer, ct));
        Assert.Equal(body[204_700..204_800], buffer);
        Assert.Equal(0, await entry.ReadAsync(204_800, buffer, ct));
        Assert.Throws<ArgumentOutOfRangeException>(() => entry.ReadBlocksAsync(2, 4, ct));
    }

    [Theory(Timeout = 10_000)]
    [InlineData(-1)]
    [InlineData(+1)]
    public async Task BodyFileNotOfTheDataSize_MakesTheEntryCorruptAndIsLogged(int delta)
    {
        var ct = TestContext.Current.CancellationToken;
        var logger = new ListLogger();
        var store = SignedStore.Open(Repository, logger: logger);
        var hello = SignedEntry.FromVector("hello");
        await hello.WriteAsync(store, null, ct);
        var body = Path.Combine(store.EntryDirectory(hello.Uri), "body");
        await File.WriteAllBytesAsync(body, new byte[12 + delta], ct);

        Assert.Null(store.TryOpen(hello.Uri));
        var warning = Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains(store.EntryDirectory(hello.Uri), warning.Message, StringComparison.Ordinal);
        Assert.Contains($"{12 + delta} bytes", warning.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task HeadFileOverTheLimit_IsRefusedWithoutReadingIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = SignedStore.Open(Repository);
        var hello = SignedEntry.FromVector("hello");
        await hello.WriteAsync(store, null, ct);
        using (var head = File.OpenWrite(Path.Combine(store.EntryDirectory(hello.Uri), "head")))
        {
            head.SetLength(64L << 30); // 64 GiB, sparse: reading it would never finish in time.
        }
        var logger = new ListLogger();
        Assert.Null(SignedStore.Open(Repository, logger: logger).TryOpen(hello.Uri));
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("more than the 65536 allowed", StringComparison.Ordinal));
    }

    [Fact(Timeout = 10_000)]
    public async Task BodyPathLeadingOutOfTheStaticRoot_MakesTheEntryCorrupt()
    {
        var ct = TestContext.Current.CancellationToken;
        using var outside = new TempDirectory("outside");
        var big = SignedEntry.FromVector("big");
        await File.WriteAllBytesAsync(Path.Combine(outside.Path, "big.bin"), big.Body, ct);
        Directory.CreateDirectory(_temp.Combine("files"));
        await File.WriteAllBytesAsync(_temp.Combine("files", "big.bin"), big.Body, ct);
        var store = SignedStore.Open(Repository, _temp.Path);
        await big.WriteAsync(store, null, ct, bodyPath: "files/big.bin");
        Assert.NotNull(store.TryOpen(big.Uri));

        // The same relative path, now through a link that leaves the root.
        Directory.Delete(_temp.Combine("files"), recursive: true);
        Directory.CreateSymbolicLink(_temp.Combine("files"), outside.Path);
        Assert.Null(store.TryOpen(big.Uri));

        await File.WriteAllTextAsync(Path.Combine(store.EntryDirectory(big.Uri), "body-path"), "../outside/big.bin", ct);
        Assert.Null(store.TryOpen(big.Uri));
    }

    [Fact(Timeout = 10_000)]
    public async Task SigsLinesAtWrongOffsets_MakeTheEntryCorrupt()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = SignedStore.Open(Repository);
        var hello = SignedEntry.FromVector("hello");
        await hello.WriteAsync(store, null, ct);
        var sigs = Path.Combine(store.EntryDirectory(hello.Uri), "sigs");
        var bytes = await File.ReadAllBytesAsync(sigs, ct);
        bytes[SigsLine.LineLength + 15] = (byte)'6'; // line 2: offset 6 instead of 5
        await File.WriteAllBytesAsync(sigs, bytes, ct);
        Assert.Null(store.TryOpen(hello.Uri));
    }

    [Fact(Timeout = 10_000)]
    public async Task OpenEntry_KeepsReadingItsOwnVersionAfterReplacementAndRemoval()
    {
        var ct = TestContext.Current.CancellationToken;
        using var key = TestKeys.Trusted();
        var store = SignedStore.Open(Repository);
        var old = SignedEntry.Create(key, "https://example.com/v", Enumerable.Repeat((byte)'o', 100).ToArray(), 16);
        var replacement = SignedEntry.Create(key, "https://example.com/v", Enumerable.Repeat((byte)'n', 50).ToArray(), 16);
        await old.WriteAsync(store, null, ct);
        using var entry = store.TryOpen(old.Uri)!;
        await replacement.WriteAsync(store, null, ct);
        Assert.True(store.Remove(old.Uri));

        var read = new MemoryStream();
        await foreach (var block in entry.ReadBlocksAsync(0, entry.BlockCount - 1, ct))
        {
            read.Write(block.Data.Span);
        }
        Assert.Equal(old.Body, read.ToArray());
        Assert.Null(store.TryOpen(old.Uri));
    }
}
