using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Ouinet.Cache.StaticCache;
using Ouinet.Cache.Storage;
using Ouinet.Cache.Tests.Support;
using Ouinet.Protocol;
using Ouinet.Protocol.Keys;

namespace Ouinet.Cache.Tests.StaticCache;

public sealed partial class StaticCacheVerifierTests
{
    private const string Hello = "https://example.com/hello";
    private const string Empty = "https://example.com/empty.txt";
    private const string Big = "https://example.com/big.bin";

    private static string[] AllUris =>
        ["https://example.com/aligned.txt", Big, Empty, Hello, "https://example.com/old-location"];

    [Theory(Timeout = 10_000)]
    [InlineData("static-cache")]
    [InlineData("static-cache-spec-form")]
    public async Task VectorTree_HasFiveValidEntriesAndOneGroup(string tree)
    {
        var ct = TestContext.Current.CancellationToken;
        var root = TestPaths.Vector(tree);
        var report = await Verify(Path.Combine(root, ".ouinet"), root, ct);
        Assert.True(report.IsValid, string.Join("\n", report.RejectedEntries.Select(e => e.Message).Concat(report.Problems.Select(p => p.Message))));
        Assert.Equal(AllUris, report.Entries.Select(e => e.Uri).Order(StringComparer.Ordinal));
        var group = Assert.Single(report.Groups);
        Assert.Equal("example.com", group.Name);
        Assert.Equal(AllUris, group.Uris);
    }

    [Theory(Timeout = 10_000)]
    [InlineData("static-flipped-body", OuinetVerificationError.BlockHash, Big, "block 2")]
    [InlineData("static-bad-chain", OuinetVerificationError.Chain, Hello, "block 2")]
    [InlineData("static-tampered-head", OuinetVerificationError.FullSignature, "https://example.com/old-location", "X-Ouinet-Sig1")]
    [InlineData("static-wrong-path", OuinetVerificationError.Path, Hello, "SHA-1")]
    [InlineData("static-missing-sigs-line", OuinetVerificationError.SignatureCount, "https://example.com/aligned.txt", "no line for block 1")]
    public async Task NegativeVectorTree_IsRejectedForTheReferenceReasonNamingTheEntry(string name, OuinetVerificationError code, string uri, string detail)
    {
        var ct = TestContext.Current.CancellationToken;
        var root = TestPaths.Vector("negative", name);
        var logger = new ListLogger();
        var report = await StaticCacheVerifier.VerifyAsync(Path.Combine(root, ".ouinet"), root, TestKeys.TrustedPublic, ProtocolVersion.V6, logger, ct);
        var rejected = Assert.Single(report.Entries);
        Assert.Equal((code, uri), (rejected.Error, rejected.Uri));
        Assert.Contains(detail, rejected.Message, StringComparison.Ordinal);
        Assert.StartsWith(Path.Combine(root, ".ouinet", "data-v3"), rejected.Directory, StringComparison.Ordinal);
        Assert.False(report.IsValid);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains(rejected.Directory, StringComparison.Ordinal));
    }

    [Fact(Timeout = 10_000)]
    public async Task UpstreamStoreFilesAssembledAsAnEntry_AreAccepted()
    {
        var ct = TestContext.Current.CancellationToken;
        using var repo = UpstreamEntry("head", "sigs");
        var report = await Verify(repo.Path, null, ct, TestKeys.Upstream);
        var entry = Assert.Single(report.Entries);
        Assert.True(entry.IsValid, entry.Message);
        Assert.Equal("https://example.com/foo", entry.Uri);
        Assert.Contains("3 blocks, 131076 bytes", entry.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task UpstreamIncompleteEntry_IsRejectedForItsMissingSig1()
    {
        var ct = TestContext.Current.CancellationToken;
        using var repo = UpstreamEntry("head-incomplete", "sigs-incomplete");
        var entry = Assert.Single((await Verify(repo.Path, null, ct, TestKeys.Upstream)).Entries);
        Assert.Equal(OuinetVerificationError.MissingSig1, entry.Error);
        Assert.Contains("incomplete", entry.Message, StringComparison.Ordinal);
    }

    [Theory(Timeout = 10_000)]
    [InlineData("static-cache")]
    [InlineData("static-cache-spec-form")]
    public async Task UntrustedKey_RejectsEveryEntryForItsKeyId(string tree)
    {
        var ct = TestContext.Current.CancellationToken;
        var root = TestPaths.Vector(tree);
        var report = await Verify(Path.Combine(root, ".ouinet"), root, ct, TestKeys.OtherPublic);
        Assert.All(report.Entries, e => Assert.Equal(OuinetVerificationError.KeyId, e.Error));
    }

    [Fact(Timeout = 10_000)]
    public async Task ExpectingAnotherProtocolVersion_RejectsEveryEntryForItsVersion()
    {
        var ct = TestContext.Current.CancellationToken;
        var root = TestPaths.Vector("static-cache");
        var report = await StaticCacheVerifier.VerifyAsync(Path.Combine(root, ".ouinet"), root, TestKeys.TrustedPublic, ProtocolVersion.V7, ct);
        Assert.All(report.Entries, e => Assert.Equal(OuinetVerificationError.Version, e.Error));
    }

    [Fact(Timeout = 10_000)]
    public async Task HeadOverTheLimit_IsRejectedWithoutReadingIt()
    {
        var ct = TestContext.Current.CancellationToken;
        using var tree = new CacheTree();
        using (var head = File.OpenWrite(tree.EntryFile(Hello, "head")))
        {
            head.SetLength(64L << 30); // 64 GiB, sparse: reading it all would not finish in time.
        }
        var result = await VerifyEntry(tree, Hello, ct);
        Assert.Equal(OuinetVerificationError.Format, result.Error);
        Assert.Contains("more than the 65536 allowed", result.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task SigsFarLongerThanTheBodyNeeds_IsRejectedWithoutReadingIt()
    {
        var ct = TestContext.Current.CancellationToken;
        using var tree = new CacheTree();
        using (var sigs = File.OpenWrite(tree.EntryFile(Hello, "sigs")))
        {
            sigs.SetLength(SigsLine.LineLength * (1L << 30));
        }
        var result = await VerifyEntry(tree, Hello, ct);
        Assert.Equal(OuinetVerificationError.SignatureCount, result.Error);
        Assert.Contains("1073741824 lines for 3 blocks", result.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task FifoAsBody_IsRejectedWithoutBlocking()
    {
        var ct = TestContext.Current.CancellationToken;
        using var tree = new CacheTree();
        File.Delete(tree.EntryFile(Hello, "body"));
        Assert.Equal(0, MakeFifo(tree.EntryFile(Hello, "body"), Convert.ToUInt32("644", 8)));
        var result = await VerifyEntry(tree, Hello, ct); // A FIFO reports length 0: it is never opened.
        Assert.Equal(OuinetVerificationError.DataSize, result.Error);
        Assert.Contains("the body is 0 bytes", result.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task BodyPathLeavingTheRootThroughALink_IsRejected()
    {
        var ct = TestContext.Current.CancellationToken;
        using var tree = new CacheTree();
        using var outside = new TempDirectory("outside");
        File.Move(Path.Combine(tree.Root, "files", "big.bin"), Path.Combine(outside.Path, "big.bin"));
        Directory.Delete(Path.Combine(tree.Root, "files"));
        Directory.CreateSymbolicLink(Path.Combine(tree.Root, "files"), outside.Path);
        var result = await VerifyEntry(tree, Big, ct);
        Assert.Equal(OuinetVerificationError.Body, result.Error);
        Assert.Contains("outside the static cache root", result.Message, StringComparison.Ordinal);
    }

    [Theory(Timeout = 10_000)]
    [InlineData("../files/big.bin", "\"..\"")]
    [InlineData("/etc/passwd", "relative")]
    [InlineData("files/missing.bin", "names no file")]
    public async Task MalformedOrDanglingBodyPath_IsRejected(string bodyPath, string reason)
    {
        var ct = TestContext.Current.CancellationToken;
        using var tree = new CacheTree();
        await File.WriteAllTextAsync(tree.EntryFile(Big, "body-path"), bodyPath, ct);
        var result = await VerifyEntry(tree, Big, ct);
        Assert.Equal(OuinetVerificationError.Body, result.Error);
        Assert.Contains(reason, result.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task BodyAndBodyPathTogether_AreRejected()
    {
        var ct = TestContext.Current.CancellationToken;
        using var tree = new CacheTree();
        File.Copy(Path.Combine(tree.Root, "files", "big.bin"), tree.EntryFile(Big, "body"));
        var result = await VerifyEntry(tree, Big, ct);
        Assert.Equal(OuinetVerificationError.Body, result.Error);
    }

    [Theory(Timeout = 10_000)]
    [InlineData(-1, OuinetVerificationError.DataSize)]
    [InlineData(+1, OuinetVerificationError.DataSize)]
    [InlineData(-12, OuinetVerificationError.Body)]
    public async Task BodyNotOfTheDataSize_IsRejected(int delta, OuinetVerificationError code)
    {
        var ct = TestContext.Current.CancellationToken;
        using var tree = new CacheTree();
        var body = tree.EntryFile(Hello, "body");
        var bytes = File.ReadAllBytes(TestPaths.Vector("vectors", "hello", "body.bin"));
        if (delta == -12)
        {
            File.Delete(body);
        }
        else
        {
            await File.WriteAllBytesAsync(body, delta < 0 ? bytes[..^1] : [.. bytes, 0], ct);
        }
        Assert.Equal(code, (await VerifyEntry(tree, Hello, ct)).Error);
    }

    [Fact(Timeout = 10_000)]
    public async Task FieldCoveredByNoSignature_IsRejected()
    {
        var ct = TestContext.Current.CancellationToken;
        using var tree = new CacheTree();
        await EditHead(tree, Hello, h => h.Replace("\r\n\r\n", "\r\nSet-Cookie: injected=1\r\n\r\n", StringComparison.Ordinal), ct);
        var result = await VerifyEntry(tree, Hello, ct);
        Assert.Equal(OuinetVerificationError.Coverage, result.Error);
        Assert.Contains("Set-Cookie is covered by no signature", result.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task HeadWithoutSig1_IsAnIncompleteEntry()
    {
        var ct = TestContext.Current.CancellationToken;
        using var tree = new CacheTree();
        await EditHead(tree, Hello, h => string.Join("\r\n", h.Split("\r\n").Where(l => !l.StartsWith("X-Ouinet-Sig1:", StringComparison.Ordinal))), ct);
        Assert.Equal(OuinetVerificationError.MissingSig1, (await VerifyEntry(tree, Hello, ct)).Error);
    }

    [Fact(Timeout = 10_000)]
    public async Task SpecFormHeadLosingItsSig0_HasAnUnsignedBSigsAndIsRejected()
    {
        var ct = TestContext.Current.CancellationToken;
        using var tree = new CacheTree("static-cache-spec-form");
        await EditHead(tree, Hello, h => string.Join("\r\n", h.Split("\r\n").Where(l => !l.StartsWith("X-Ouinet-Sig0:", StringComparison.Ordinal))), ct);
        var result = await VerifyEntry(tree, Hello, ct);
        Assert.Equal(OuinetVerificationError.Coverage, result.Error);
        Assert.Contains("C5a", result.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task DuplicatedSig1_IsASignatureFormatError()
    {
        var ct = TestContext.Current.CancellationToken;
        using var tree = new CacheTree();
        await EditHead(tree, Hello, h =>
        {
            var sig1 = h.Split("\r\n").Single(l => l.StartsWith("X-Ouinet-Sig1:", StringComparison.Ordinal));
            return h.Replace("\r\n\r\n", $"\r\n{sig1}\r\n\r\n", StringComparison.Ordinal);
        }, ct);
        Assert.Equal(OuinetVerificationError.SignatureFormat, (await VerifyEntry(tree, Hello, ct)).Error);
    }

    [Fact(Timeout = 10_000)]
    public async Task EmptyBody_IsAcceptedWithNoSigsAnEmptySigsOrItsOneLine_AndRejectedWithTwo()
    {
        var ct = TestContext.Current.CancellationToken;
        using var tree = new CacheTree();
        var sigs = tree.EntryFile(Empty, "sigs");
        var line = await File.ReadAllTextAsync(sigs, ct);
        Assert.True((await VerifyEntry(tree, Empty, ct)).IsValid);
        await File.WriteAllTextAsync(sigs, "", ct);
        Assert.True((await VerifyEntry(tree, Empty, ct)).IsValid);
        File.Delete(sigs);
        Assert.True((await VerifyEntry(tree, Empty, ct)).IsValid);
        await File.WriteAllTextAsync(sigs, line + line.Replace("0000000000000000", "0000000000010000", StringComparison.Ordinal), ct);
        var result = await VerifyEntry(tree, Empty, ct);
        Assert.Equal(OuinetVerificationError.SignatureCount, result.Error);
    }

    [Fact(Timeout = 10_000)]
    public async Task EmptyBodysBlockSignedByAnotherKey_IsABlockSignatureError()
    {
        var ct = TestContext.Current.CancellationToken;
        using var tree = new CacheTree();
        var sigs = tree.EntryFile(Empty, "sigs");
        var line = SigsLine.TryParse(File.ReadAllBytes(sigs).AsSpan(0, SigsLine.TextLength), out _)!;
        using var other = TestKeys.Other();
        var forged = line with { Signature = other.Sign(line.Signature) };
        await File.WriteAllTextAsync(sigs, forged.Format(), ct);
        var result = await VerifyEntry(tree, Empty, ct);
        Assert.Equal(OuinetVerificationError.BlockSignature, result.Error);
        Assert.Contains("block 0", result.Message, StringComparison.Ordinal);
    }

    [Theory(Timeout = 10_000)]
    [InlineData("head", false)]
    [InlineData("head", true)]
    [InlineData("body", true)]
    public async Task MissingOrLinkedEntryFile_IsRejected(string file, bool link)
    {
        var ct = TestContext.Current.CancellationToken;
        using var tree = new CacheTree();
        var path = tree.EntryFile(Hello, file);
        if (link)
        {
            var real = path + "-real";
            File.Move(path, real);
            File.CreateSymbolicLink(path, real);
        }
        else
        {
            File.Delete(path);
        }
        var result = await VerifyEntry(tree, Hello, ct);
        Assert.Equal(OuinetVerificationError.Format, result.Error);
        Assert.Contains(link ? "symbolic link" : "no head file", result.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task StrayFilesAndLeftovers_AreReportedWhileTheEntriesStayValid()
    {
        var ct = TestContext.Current.CancellationToken;
        using var tree = new CacheTree();
        var data = Path.Combine(tree.Repository, "data-v3");
        File.WriteAllText(Path.Combine(data, "README"), "x");
        Directory.CreateDirectory(Path.Combine(data, "xyz"));
        Directory.CreateDirectory(AtomicDirectory.NewSiblingPath(tree.EntryDirectory(Hello)));
        File.WriteAllText(Path.Combine(tree.Repository, "dht_groups", "stray"), "x");

        var report = await Verify(tree.Repository, tree.Root, ct);
        Assert.Equal(5, report.ValidEntries.Count());
        Assert.Equal(4, report.Problems.Count);
        Assert.Contains(report.Problems, p => p.Message.Contains("interrupted write", StringComparison.Ordinal));
        Assert.All(report.Problems, p => Assert.Equal(OuinetVerificationError.Format, p.Error));
        Assert.False(report.IsValid);
    }

    [Fact(Timeout = 10_000)]
    public async Task GroupInconsistencies_AreReportedNamingTheGroup()
    {
        var ct = TestContext.Current.CancellationToken;
        using var tree = new CacheTree();
        var groups = Path.Combine(tree.Repository, "dht_groups");
        var group = Directory.EnumerateDirectories(groups).Single();
        Directory.Delete(tree.EntryDirectory(Hello), recursive: true);
        var renamed = Path.Combine(groups, new string('0', 40));
        Directory.CreateDirectory(renamed);
        File.WriteAllText(Path.Combine(renamed, "group_name"), "another.example");
        File.WriteAllText(Path.Combine(group, "items", new string('1', 40)), "https://example.com/aligned.txt");

        var report = await Verify(tree.Repository, tree.Root, ct);
        var problems = report.GroupProblems.ToList();
        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.Path == renamed && p.Message.Contains("not the SHA-1 of its group_name", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Group == "example.com" && p.Message.Contains("no entry", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Group == "example.com" && p.Path.EndsWith(new string('1', 40), StringComparison.Ordinal));
        Assert.Equal(4, Assert.Single(report.Groups).Uris.Count);
    }

    [Fact(Timeout = 10_000)]
    public async Task RepositoryWithoutDataV3_IsAProblemNotACrash()
    {
        var ct = TestContext.Current.CancellationToken;
        using var empty = new TempDirectory("empty-repo");
        var report = await Verify(empty.Path, null, ct);
        Assert.Empty(report.Entries);
        Assert.Contains("no data-v3", Assert.Single(report.Problems).Message, StringComparison.Ordinal);
    }

    internal static Task<StaticCacheReport> Verify(string repository, string? root, CancellationToken ct, InjectorPublicKey? key = null) =>
        StaticCacheVerifier.VerifyAsync(repository, root, key ?? TestKeys.TrustedPublic, ProtocolVersion.V6, ct);

    internal static Task<StaticCacheEntryResult> VerifyEntry(CacheTree tree, string uri, CancellationToken ct) =>
        StaticCacheVerifier.VerifyEntryAsync(tree.Repository, tree.EntryDirectory(uri), tree.Root, TestKeys.TrustedPublic, ProtocolVersion.V6, ct);

    private static async Task EditHead(CacheTree tree, string uri, Func<string, string> edit, CancellationToken ct)
    {
        var path = tree.EntryFile(uri, "head");
        var text = await File.ReadAllTextAsync(path, ct);
        await File.WriteAllTextAsync(path, edit(text), ct);
    }

    /// <summary>The upstream store files (and body) as a data-v3 entry for their URI in a fresh repository.</summary>
    private static TempDirectory UpstreamEntry(string head, string sigs)
    {
        var headPath = TestPaths.Upstream("protocol-6", "store", head);
        var repo = new TempDirectory("upstream");
        var dir = Path.Combine(repo.Path, EntryLocation.RelativeDirectory("https://example.com/foo"));
        Directory.CreateDirectory(dir);
        File.Copy(headPath, Path.Combine(dir, "head"));
        File.Copy(TestPaths.Upstream("protocol-6", "store", sigs), Path.Combine(dir, "sigs"));
        File.Copy(TestPaths.Upstream("protocol-6", "body.bin"), Path.Combine(dir, "body"));
        return repo;
    }

    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MakeFifo(string path, uint mode);
}
