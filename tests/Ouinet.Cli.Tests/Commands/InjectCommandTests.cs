using System.Diagnostics;
using Ouinet.Cache.Storage;
using Ouinet.Cache.Store;

namespace Ouinet.Cli.Tests.Commands;

public sealed class InjectCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new("inject");

    public InjectCommandTests()
    {
        Content = _temp.Combine("site");
        KeyRepo = _temp.Combine("injector");
        var random = new Random(20261125);
        foreach (var (path, size) in new (string, int)[]
        {
            ("index.html", 300), ("empty.txt", 0), ("one.bin", 1), ("block.bin", 65536), ("block-plus-one.bin", 65537),
            ("media/big video.webm", 200_000), ("docs/é ü/notes?.txt", 42),
        })
        {
            var full = Path.Combine(Content, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            var data = new byte[size];
            random.NextBytes(data);
            File.WriteAllBytes(full, data);
        }
    }

    private string Content { get; }

    private string KeyRepo { get; }

    private string PublicKey => File.ReadAllText(Path.Combine(KeyRepo, "ed25519-public-key"));

    public void Dispose() => _temp.Dispose();

    [Fact(Timeout = 60000)]
    public async Task Inject_SignsEveryFileByBodyPath_AndBothVerifiersAcceptTheCache()
    {
        var ct = TestContext.Current.CancellationToken;
        var (exit, output, error) = await CliRunner.RunAsync(ct, "inject", "--repo", KeyRepo, "--uri-prefix", "https://example.org/site", "--content", Content);
        Assert.True(exit == 0, output + error);
        Assert.Contains("Signed 7 files", output, StringComparison.Ordinal);

        var store = SignedStore.Open(Path.Combine(Content, ".ouinet"), Content);
        Assert.Equal(
            ["https://example.org/site/block-plus-one.bin", "https://example.org/site/block.bin", "https://example.org/site/docs/%C3%A9%20%C3%BC/notes%3F.txt",
             "https://example.org/site/empty.txt", "https://example.org/site/index.html", "https://example.org/site/media/big%20video.webm", "https://example.org/site/one.bin"],
            store.Entries.Select(e => e.Uri).Order(StringComparer.Ordinal));
        var video = store.EntryDirectory("https://example.org/site/media/big%20video.webm");
        Assert.Equal("media/big video.webm", File.ReadAllText(Path.Combine(video, BodyPath.FileName)));
        Assert.False(File.Exists(Path.Combine(video, "body")), "content is referenced, not copied");
        Assert.Contains("Content-Type: video/webm\r\n", File.ReadAllText(Path.Combine(video, "head")), StringComparison.Ordinal);
        Assert.Equal(["https://example.org/site/index.html"], store.Groups.Items("https://example.org/site/index.html"));

        var verify = await CliRunner.RunAsync(ct, "verify", "--public-key", PublicKey, Content);
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains("7 entries, 7 verified, 0 failed; 7 groups", verify.Output, StringComparison.Ordinal);

        var (pythonExit, pythonOutput) = await RunIndependentVerifierAsync(ct);
        Assert.True(pythonExit == 0, pythonOutput);
        Assert.Equal(7, pythonOutput.Split('\n').Count(l => l.StartsWith("ok ", StringComparison.Ordinal)));
    }

    [Fact(Timeout = 60000)]
    public async Task InjectAgain_SkipsUnchangedFiles_AndResignsChangedOnes()
    {
        var ct = TestContext.Current.CancellationToken;
        var args = new[] { "inject", "--repo", KeyRepo, "--uri-prefix", "https://example.org/", "--content", Content };
        foreach (var file in Directory.EnumerateFiles(Content, "*", SearchOption.AllDirectories))
        {
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddHours(-1)); // clearly older than the injection
        }
        Assert.Equal(0, (await CliRunner.RunAsync(ct, args)).ExitCode);
        File.SetLastWriteTimeUtc(Path.Combine(Content, "index.html"), DateTime.UtcNow.AddSeconds(5));
        File.WriteAllText(Path.Combine(Content, "one.bin"), "now longer");

        var (exit, output, _) = await CliRunner.RunAsync(ct, args);
        Assert.Equal(0, exit);
        Assert.Contains("Signed 2 files", output, StringComparison.Ordinal);
        Assert.Contains("5 unchanged", output, StringComparison.Ordinal);
        Assert.Equal(0, (await CliRunner.RunAsync(ct, "verify", "--public-key", PublicKey, Content)).ExitCode);
    }

    [Fact(Timeout = 60000)]
    public async Task Inject_WithGroup_PutsEveryEntryInIt_AndWritesWhereAsked()
    {
        var ct = TestContext.Current.CancellationToken;
        var output = _temp.Combine("elsewhere");
        var result = await CliRunner.RunAsync(ct, "inject", "--repo", KeyRepo, "--uri-prefix", "https://example.org/", "--content", Content, "--output", output, "--group", "example.org");
        Assert.Equal(0, result.ExitCode);
        var store = SignedStore.Open(output, Content);
        Assert.Equal(["example.org"], store.Groups.Groups());
        Assert.Equal(7, store.Groups.Items("example.org").Count);
        Assert.Equal(0, (await CliRunner.RunAsync(ct, "verify", "--public-key", PublicKey, "--root", Content, output)).ExitCode);
    }

    [Fact(Timeout = 120000)]
    public async Task CorruptingAnyByteOfTheCache_MakesVerifyFailNamingTheEntry()
    {
        var ct = TestContext.Current.CancellationToken;
        File.Delete(Path.Combine(Content, "media", "big video.webm"));
        File.Delete(Path.Combine(Content, "block-plus-one.bin"));
        Assert.Equal(0, (await CliRunner.RunAsync(ct, "inject", "--repo", KeyRepo, "--uri-prefix", "https://example.org/", "--content", Content)).ExitCode);
        var store = SignedStore.Open(Path.Combine(Content, ".ouinet"), Content);
        var uri = "https://example.org/block.bin";
        var entry = store.EntryDirectory(uri);
        var head = File.ReadAllBytes(Path.Combine(entry, "head"));
        // The reason phrase is the one byte range no signature covers (as in Ouinet C++).
        var reason = (Start: "HTTP/1.1 200 ".Length, End: "HTTP/1.1 200 OK".Length);

        var files = new List<(string File, int Position)>();
        files.AddRange(Enumerable.Range(0, head.Length).Where(i => i < reason.Start || i >= reason.End).Select(i => (Path.Combine(entry, "head"), i)));
        files.AddRange(Enumerable.Range(0, SigsLine.LineLength).Select(i => (Path.Combine(entry, "sigs"), i)));
        files.AddRange(Enumerable.Range(0, "block.bin".Length).Select(i => (Path.Combine(entry, BodyPath.FileName), i)));
        files.AddRange(Enumerable.Range(0, 64).Select(i => (Path.Combine(Content, "block.bin"), i * 1021)));

        foreach (var (file, position) in files)
        {
            var original = File.ReadAllBytes(file);
            var corrupt = (byte[])original.Clone();
            corrupt[position] ^= 0x01;
            File.WriteAllBytes(file, corrupt);
            try
            {
                var (exit, output, _) = await CliRunner.RunAsync(ct, "verify", "--public-key", PublicKey, Content);
                Assert.True(exit == 1, $"flipping byte {position} of {file} went unnoticed");
                var failure = Assert.Single(output.Split('\n'), l => l.StartsWith("FAIL", StringComparison.Ordinal));
                Assert.Contains(Path.GetRelativePath(store.Repository, entry), failure, StringComparison.Ordinal);
            }
            finally
            {
                File.WriteAllBytes(file, original);
            }
        }
    }

    [Theory(Timeout = 30000)]
    [InlineData("ftp://example.org/", "not an absolute http(s) URI")]
    [InlineData("example.org/", "not an absolute http(s) URI")]
    public async Task Inject_WithABadPrefix_FailsClearly(string prefix, string message)
    {
        var (exit, _, error) = await CliRunner.RunAsync(TestContext.Current.CancellationToken, "inject", "--repo", KeyRepo, "--uri-prefix", prefix, "--content", Content);
        Assert.Equal(1, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30000)]
    public async Task Inject_WithoutContentFolder_FailsClearly()
    {
        var (exit, _, error) = await CliRunner.RunAsync(TestContext.Current.CancellationToken, "inject", "--repo", KeyRepo, "--uri-prefix", "https://example.org/", "--content", _temp.Combine("missing"));
        Assert.Equal(1, exit);
        Assert.Contains("no content folder", error, StringComparison.Ordinal);
    }

    private async Task<(int, string)> RunIndependentVerifierAsync(CancellationToken ct)
    {
        var script = Path.Combine(TestPaths.RepositoryRoot, "tests", "interop", "verify_static_cache.py");
        using var process = Process.Start(new ProcessStartInfo("/usr/bin/python3", [script, PublicKey, Path.Combine(Content, ".ouinet"), Content])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, await stdout + await stderr);
    }
}
