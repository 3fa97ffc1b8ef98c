using System.Security.Cryptography;
using Ouinet.Cache.Store;
using Ouinet.Cache.Tests.Support;
using Ouinet.Protocol;
using Ouinet.Protocol.Headers;

namespace Ouinet.Cache.Tests.Store;

public sealed class ConcurrencyTests : IDisposable
{
    private const string Uri = "https://example.com/contended";
    private readonly TempDirectory _temp = new("concurrency");

    public void Dispose() => _temp.Dispose();

    [Fact(Timeout = 20_000)]
    public async Task WritersReplacingAndRemovingOneUri_ReadersOnlyEverSeeCompleteConsistentEntries()
    {
        var ct = TestContext.Current.CancellationToken;
        using var key = TestKeys.Trusted();
        var random = new Random(7);
        var versions = Enumerable.Range(0, 40).Select(i =>
        {
            var body = new byte[random.Next(0, 4000)];
            random.NextBytes(body);
            return SignedEntry.Create(key, Uri, body, 256, $"version-{i}");
        }).ToArray();
        var logger = new ListLogger();
        var store = SignedStore.Open(_temp.Combine(".ouinet"), logger: logger);

        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = w; i < versions.Length; i += 4)
            {
                await versions[i].WriteAsync(store, "contended", ct);
            }
        }, ct)).ToArray();
        var remover = Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                store.Remove(Uri);
                await Task.Yield();
            }
        }, ct);
        var done = Task.WhenAll([.. writers, remover]);

        var reads = 0;
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            while (!done.IsCompleted)
            {
                using var entry = store.TryOpen(Uri);
                if (entry is null)
                {
                    continue; // Removed at that moment (a torn entry would have been logged as corrupt).
                }
                await AssertConsistentAsync(entry, ct);
                Interlocked.Increment(ref reads);
            }
        }, ct)).ToArray();

        await done;
        await Task.WhenAll(readers);
        Assert.True(reads > 0, "the readers never saw an entry");
        Assert.DoesNotContain(logger.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);

        // Whatever won, the disk and the index agree and nothing is left behind.
        var prefix = Path.GetDirectoryName(store.EntryDirectory(Uri))!;
        Assert.True(Directory.EnumerateDirectories(prefix).Count() <= 1);
        using var last = store.TryOpen(Uri);
        Assert.Equal(last?.Injection.Id, store.Find(Uri)?.InjectionId);
        if (last is not null)
        {
            await AssertConsistentAsync(last, ct);
        }
    }

    /// <summary>Head, sigs and body belong together: the body hashes to the head's Digest and to every sigs line's hash(i).</summary>
    private static async Task AssertConsistentAsync(StoredEntry entry, CancellationToken ct)
    {
        Assert.True(DigestHeader.TryParse(entry.Head.Fields.Get(OuinetHeaders.Digest), out var digest, out _));
        Assert.Equal(entry.DataSize.ToString(System.Globalization.CultureInfo.InvariantCulture), entry.Head.Fields.Get(OuinetHeaders.DataSize));
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long length = 0;
        await foreach (var block in entry.ReadBlocksAsync(0, entry.BlockCount - 1, ct))
        {
            Assert.Equal(block.Sigs.BlockHash, SHA512.HashData(block.Data.Span));
            sha256.AppendData(block.Data.Span);
            length += block.Data.Length;
        }
        Assert.Equal(entry.DataSize, length);
        Assert.Equal(digest.Sha256.ToArray(), sha256.GetHashAndReset());
    }
}
