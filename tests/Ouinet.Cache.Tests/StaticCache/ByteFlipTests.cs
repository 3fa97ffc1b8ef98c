using Ouinet.Cache.StaticCache;
using Ouinet.Cache.Storage;
using Ouinet.Cache.Tests.Support;
using Ouinet.Protocol;

namespace Ouinet.Cache.Tests.StaticCache;

/// <summary>
/// Flipping any single byte (XOR 0x01) of any file of the valid static cache makes exactly the entry it belongs to
/// fail (a group file: its group is reported). The one exception is the status line's reason phrase, which no
/// signature covers in the protocol (Ouinet C++ keeps the origin's phrase): flipping it changes nothing that is signed.
/// In the spec form, <c>X-Ouinet-BSigs</c> is unsigned too (C5a): its <c>size</c> is only checked through the block
/// offsets it implies, so for a body of at most one block (where any size above the body's length cuts it the same
/// way) those digits are exempt as well.
/// </summary>
public sealed class ByteFlipTests
{
    private static readonly string[] Uris =
        ["https://example.com/hello", "https://example.com/big.bin", "https://example.com/empty.txt", "https://example.com/old-location", "https://example.com/aligned.txt"];

    [Theory(Timeout = 20_000)]
    [InlineData("static-cache")]
    [InlineData("static-cache-spec-form")]
    public async Task FlippingAnyByteOfAnEntrysFiles_FailsThatEntry(string vectorTree)
    {
        var ct = TestContext.Current.CancellationToken;
        using var tree = new CacheTree(vectorTree);
        var checks = await Task.WhenAll(Uris.Select(uri => Task.Run(() => FlipEveryByteAsync(tree, uri, ct), ct)));
        var undetected = checks.SelectMany(c => c.Undetected).ToList();
        Assert.True(undetected.Count == 0, "flips that still verified:\n" + string.Join("\n", undetected.Take(20)));
        Assert.True(checks.Sum(c => c.Flips) > 7000, $"only {checks.Sum(c => c.Flips)} flips were tried");
    }

    [Fact(Timeout = 10_000)]
    public async Task FlippingAnyByteOfAGroupFile_ReportsThatGroup()
    {
        var ct = TestContext.Current.CancellationToken;
        using var tree = new CacheTree();
        var group = Directory.EnumerateDirectories(Path.Combine(tree.Repository, DhtGroups.DirectoryName)).Single();
        var undetected = new List<string>();
        var flips = 0;
        foreach (var file in Directory.EnumerateFiles(group, "*", SearchOption.AllDirectories))
        {
            for (var i = 0; i < new FileInfo(file).Length; i++)
            {
                Flip(file, i);
                var problems = new List<StaticCacheProblem>();
                GroupVerifier.Verify(tree.Repository, problems, ct);
                if (problems.Count == 0 || problems.Any(p => !p.Path.StartsWith(group, StringComparison.Ordinal) || p.Error != OuinetVerificationError.Group))
                {
                    undetected.Add($"{Path.GetRelativePath(group, file)}@{i}: {string.Join("; ", problems.Select(p => p.Message))}");
                }
                Flip(file, i);
                flips++;
            }
        }
        Assert.Empty(undetected);
        Assert.True(flips > 150);
    }

    [Theory(Timeout = 10_000)]
    [InlineData("https://example.com/hello", "head", 60)]
    [InlineData("https://example.com/hello", "sigs", 300)]
    [InlineData("https://example.com/old-location", "body", 10)]
    [InlineData("https://example.com/empty.txt", "sigs", 200)]
    [InlineData("https://example.com/big.bin", "body-path", 3)]
    [InlineData("https://example.com/big.bin", "../../../../files/big.bin", 100_000)]
    public async Task FlippedByte_LeavesEveryOtherEntryAndTheGroupValid(string uri, string file, int position)
    {
        var ct = TestContext.Current.CancellationToken;
        using var tree = new CacheTree();
        Flip(Path.GetFullPath(tree.EntryFile(uri, file)), position);
        var report = await StaticCacheVerifier.VerifyAsync(tree.Repository, tree.Root, TestKeys.TrustedPublic, ProtocolVersion.V6, ct);
        var rejected = Assert.Single(report.RejectedEntries);
        Assert.Equal(tree.EntryDirectory(uri), rejected.Directory);
        Assert.Empty(report.Problems);
        Assert.Equal(5, Assert.Single(report.Groups).Uris.Count);
    }

    private static async Task<(int Flips, List<string> Undetected)> FlipEveryByteAsync(CacheTree tree, string uri, CancellationToken ct)
    {
        var undetected = new List<string>();
        var flips = 0;
        foreach (var file in Directory.EnumerateFiles(tree.EntryDirectory(uri)))
        {
            var length = (int)new FileInfo(file).Length;
            var isHead = Path.GetFileName(file) == "head";
            var reason = isHead ? ReasonPhrase(file) : default;
            var blockSize = isHead ? UnsignedSingleBlockSize(file) : default;
            for (var i = 0; i < length; i++)
            {
                if ((i >= reason.Start && i < reason.End) || (i >= blockSize.Start && i < blockSize.End))
                {
                    continue;
                }
                await CheckAsync(file, i);
            }
        }
        if (uri.EndsWith("big.bin", StringComparison.Ordinal))
        {
            // The body-path file: every block's first and last byte, and a spread of others.
            var body = Path.Combine(tree.Root, "files", "big.bin");
            var random = new Random(5);
            var positions = new[] { 0, 65535, 65536, 131071, 131072, 196607, 196608, 204799 }.Concat(Enumerable.Range(0, 40).Select(_ => random.Next(204_800)));
            foreach (var i in positions)
            {
                await CheckAsync(body, i);
            }
        }
        return (flips, undetected);

        async Task CheckAsync(string file, int position)
        {
            Flip(file, position);
            var result = await StaticCacheVerifier.VerifyEntryAsync(tree.Repository, tree.EntryDirectory(uri), tree.Root, TestKeys.TrustedPublic, ProtocolVersion.V6, ct);
            Flip(file, position);
            flips++;
            if (result.IsValid)
            {
                undetected.Add($"{uri} {Path.GetFileName(file)}@{position}");
            }
        }
    }

    /// <summary>Where the reason phrase of the head's status line is (<c>HTTP/1.1 200 OK</c>: the <c>OK</c>).</summary>
    private static (int Start, int End) ReasonPhrase(string head)
    {
        var text = File.ReadAllText(head);
        return ("HTTP/1.1 200 ".Length, text.IndexOf("\r\n", StringComparison.Ordinal));
    }

    /// <summary>
    /// Where the <c>size</c> digits of an unsigned <c>X-Ouinet-BSigs</c> (spec form: a head with <c>X-Ouinet-Sig0</c>)
    /// are, when the body has at most one block; empty otherwise.
    /// </summary>
    private static (int Start, int End) UnsignedSingleBlockSize(string head)
    {
        var text = File.ReadAllText(head);
        var lines = text.Split("\r\n");
        var dataSize = long.Parse(lines.Single(l => l.StartsWith("X-Ouinet-Data-Size: ", StringComparison.Ordinal))[20..], System.Globalization.CultureInfo.InvariantCulture);
        var bsigs = lines.Single(l => l.StartsWith("X-Ouinet-BSigs: ", StringComparison.Ordinal));
        var digits = bsigs[(bsigs.IndexOf("size=", StringComparison.Ordinal) + 5)..];
        if (!text.Contains("\r\nX-Ouinet-Sig0: ", StringComparison.Ordinal) || dataSize > long.Parse(digits, System.Globalization.CultureInfo.InvariantCulture))
        {
            return default;
        }
        var start = text.IndexOf(bsigs, StringComparison.Ordinal) + bsigs.Length - digits.Length;
        return (start, start + digits.Length);
    }

    private static void Flip(string file, long position)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = position;
        var b = stream.ReadByte();
        stream.Position = position;
        stream.WriteByte((byte)(b ^ 0x01));
    }
}
