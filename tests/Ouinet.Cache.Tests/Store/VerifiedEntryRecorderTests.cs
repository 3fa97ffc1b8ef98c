using Ouinet.Cache.Store;
using Ouinet.Cache.Tests.Support;
using Ouinet.Http;
using Ouinet.Protocol;
using Ouinet.Protocol.Streams;

namespace Ouinet.Cache.Tests.Store;

public sealed class VerifiedEntryRecorderTests : IDisposable
{
    private readonly TempDirectory _temp = new("recorder");

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> VectorNames => ["hello", "big", "empty", "redirect", "aligned"];

    [Theory(Timeout = 20000)]
    [MemberData(nameof(VectorNames))]
    public async Task InjectorStream_IsStoredAsTheVectorsDataV3Entry(string name)
    {
        var store = SignedStore.Open(_temp.Path);
        var passedOn = new MemoryStream();
        var stored = await RecordAsync(store, TestPaths.Vector("vectors", name, "injector-stream.http"),
            (block, ct) => passedOn.WriteAsync(block.Data, ct), TestContext.Current.CancellationToken);

        Assert.True(stored);
        Assert.Equal(File.ReadAllBytes(TestPaths.Vector("vectors", name, "body.bin")), passedOn.ToArray());
        var uri = Assert.Single(store.Entries).Uri;
        var expected = TestPaths.Vector("static-cache", ".ouinet", Path.GetRelativePath(store.Repository, store.EntryDirectory(uri)));
        var actual = store.EntryDirectory(uri);
        Assert.Equal(File.ReadAllBytes(Path.Combine(expected, "head")), File.ReadAllBytes(Path.Combine(actual, "head")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(expected, "sigs")), File.ReadAllBytes(Path.Combine(actual, "sigs")));
        Assert.Equal(File.ReadAllBytes(TestPaths.Vector("vectors", name, "body.bin")), File.Exists(Path.Combine(actual, "body")) ? File.ReadAllBytes(Path.Combine(actual, "body")) : []);
    }

    [Fact(Timeout = 20000)]
    public async Task ForgedBlock_StoresNothing_AndLeavesNoStagingBehind()
    {
        var store = SignedStore.Open(_temp.Path);
        var passedOn = new MemoryStream();
        var e = await Assert.ThrowsAsync<OuinetVerificationException>(() =>
            RecordAsync(store, TestPaths.Vector("negative", "neg-flipped-byte-block2.http"), (block, ct) => passedOn.WriteAsync(block.Data, ct), TestContext.Current.CancellationToken));

        Assert.Equal(OuinetVerificationError.BlockSignature, e.Error);
        Assert.Equal(2 * 65536, passedOn.Length); // blocks 0 and 1 verified and went on; block 2 never did
        Assert.Empty(store.Entries);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp.Path, "*.new-*", SearchOption.AllDirectories));
        Assert.Empty(SignedStore.Open(_temp.Path).Entries);
    }

    [Fact(Timeout = 20000)]
    public async Task CompleteSignatureOnlyResponse_IsPassedOnButNotStored()
    {
        var store = SignedStore.Open(_temp.Path);
        var passedOn = new MemoryStream();
        var stored = await RecordAsync(store, TestPaths.Vector("vectors", "hello", "full-content-length.http"), (block, ct) => passedOn.WriteAsync(block.Data, ct), TestContext.Current.CancellationToken);
        Assert.False(stored);
        Assert.Equal("Hello world!"u8.ToArray(), passedOn.ToArray());
        Assert.Empty(store.Entries);
    }

    private static async Task<bool> RecordAsync(SignedStore store, string streamFile, Func<VerifiedBlock, CancellationToken, ValueTask> onBlock, CancellationToken ct)
    {
        await using var http = HttpMessageReader.Create(File.OpenRead(streamFile));
        var head = await http.ReadResponseHeadAsync(ct);
        using var reader = await SignedResponseReader.OpenAsync(head, http.ReadResponseBody(head, "GET"), TestKeys.TrustedPublic, null, ct);
        return await VerifiedEntryRecorder.RecordAsync(store, reader, group: null, onBlock, ct);
    }
}
