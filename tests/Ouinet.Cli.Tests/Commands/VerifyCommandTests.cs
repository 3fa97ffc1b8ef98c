namespace Ouinet.Cli.Tests.Commands;

public class VerifyCommandTests
{
    private static readonly string TrustedHex = File.ReadAllText(TestPaths.Vector("keys", "trusted.public.hex")).Trim();
    private static readonly string TrustedBase32 = File.ReadAllText(TestPaths.Vector("keys", "trusted.public.base32")).Trim();

    [Theory(Timeout = 30000)]
    [InlineData("static-cache")]
    [InlineData("static-cache-spec-form")]
    public async Task VectorStaticCaches_Verify(string tree)
    {
        var (exit, output, _) = await CliRunner.RunAsync(TestContext.Current.CancellationToken, "verify", "--public-key", TrustedBase32, TestPaths.Vector(tree));
        Assert.Equal(0, exit);
        Assert.Contains("5 entries, 5 verified, 0 failed; 1 groups", output, StringComparison.Ordinal);
    }

    [Theory(Timeout = 30000)]
    [InlineData("static-flipped-body", "E_BLOCK_HASH", "https://example.com/big.bin")]
    [InlineData("static-bad-chain", "E_CHAIN", "https://example.com/hello")]
    [InlineData("static-tampered-head", "E_FULL_SIG", "https://example.com/old-location")]
    [InlineData("static-wrong-path", "E_PATH", "https://example.com/hello")]
    [InlineData("static-missing-sigs-line", "E_SIG_COUNT", "https://example.com/aligned.txt")]
    public async Task NegativeStaticCaches_FailNamingEntryAndReason(string tree, string code, string uri)
    {
        var (exit, output, _) = await CliRunner.RunAsync(TestContext.Current.CancellationToken, "verify", "--public-key", TrustedHex, TestPaths.Vector("negative", tree));
        Assert.Equal(1, exit);
        Assert.Contains($"({uri}): {code}: ", output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30000)]
    public async Task SavedStream_Verifies_AndReportsWhatItIs()
    {
        var (exit, output, _) = await CliRunner.RunAsync(TestContext.Current.CancellationToken, "verify", "--public-key", TrustedHex, "--stream", TestPaths.Vector("vectors", "big", "injector-stream.http"));
        Assert.Equal(0, exit);
        Assert.Contains("https://example.com/big.bin, status 200, 204800 bytes verified (signature stream, 4 blocks of 65536)", output, StringComparison.Ordinal);
    }

    [Theory(Timeout = 30000)]
    [InlineData("neg-flipped-byte-block2.http", "E_BLOCK_SIG")]
    [InlineData("neg-truncated-midstream.http", "E_TRUNCATED")]
    [InlineData("neg-untrusted-keyid.http", "E_KEYID")]
    [InlineData("neg-unsigned.http", "E_UNSIGNED")]
    public async Task ForgedOrBrokenStream_FailsWithTheReason(string file, string code)
    {
        var (exit, output, _) = await CliRunner.RunAsync(TestContext.Current.CancellationToken, "verify", "--public-key", TrustedHex, "--stream", TestPaths.Vector("negative", file));
        Assert.Equal(1, exit);
        Assert.Contains($": {code}: ", output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30000)]
    public async Task StreamForAnotherUri_FailsWhenUriGiven()
    {
        var (exit, output, _) = await CliRunner.RunAsync(TestContext.Current.CancellationToken, "verify", "--public-key", TrustedHex, "--uri", "https://example.com/other",
            "--stream", TestPaths.Vector("vectors", "hello", "injector-stream.http"));
        Assert.Equal(1, exit);
        Assert.Contains("E_URI", output, StringComparison.Ordinal);
    }

    [Theory(Timeout = 30000)]
    [InlineData("--public-key", "abc", "must be 64 hex or 52 base32 characters")]
    [InlineData("--public-key", "zz3a07bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8", "not hexadecimal")]
    public async Task BadPublicKey_IsAUsageError(string option, string value, string message)
    {
        var (exit, _, error) = await CliRunner.RunAsync(TestContext.Current.CancellationToken, "verify", option, value, TestPaths.Vector("static-cache"));
        Assert.NotEqual(0, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30000)]
    public async Task NeitherCacheNorStream_IsAUsageError()
    {
        var (exit, _, error) = await CliRunner.RunAsync(TestContext.Current.CancellationToken, "verify", "--public-key", TrustedHex);
        Assert.NotEqual(0, exit);
        Assert.Contains("Give either CACHEDIR or --stream FILE.", error, StringComparison.Ordinal);
    }
}
