using Ouinet.Protocol.Keys;

namespace Ouinet.Cli.Tests.Commands;

public sealed class KeygenCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new("keygen");

    public void Dispose() => _temp.Dispose();

    [Fact(Timeout = 30000)]
    public async Task Keygen_WritesOwnerOnlyPrivateKeyAndPrintsPublicKeyThreeWays()
    {
        var repo = _temp.Combine("injector");
        var (exit, output, _) = await CliRunner.RunAsync(TestContext.Current.CancellationToken, "keygen", "--repo", repo);

        Assert.Equal(0, exit);
        var privatePath = Path.Combine(repo, "ed25519-private-key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(privatePath));
        Assert.Matches("^[0-9a-f]{64}$", File.ReadAllText(privatePath));
        Assert.True(InjectorKeyFiles.TryReadPrivateKey(privatePath, out var key, out _));
        using (key)
        {
            Assert.Equal(key.PublicKey.ToHex(), File.ReadAllText(Path.Combine(repo, "ed25519-public-key")));
            Assert.Contains($"hex:    {key.PublicKey.ToHex()}", output, StringComparison.Ordinal);
            Assert.Contains($"base32: {key.PublicKey.ToBase32()}", output, StringComparison.Ordinal);
            Assert.Contains($"base64: {key.PublicKey.ToBase64()}", output, StringComparison.Ordinal);
        }
    }

    [Fact(Timeout = 30000)]
    public async Task Keygen_RefusesToReplaceAnExistingKey_UnlessForced()
    {
        var repo = _temp.Path;
        Assert.Equal(0, (await CliRunner.RunAsync(TestContext.Current.CancellationToken, "keygen", "--repo", repo)).ExitCode);
        var first = File.ReadAllText(Path.Combine(repo, "ed25519-private-key"));

        var (exit, _, error) = await CliRunner.RunAsync(TestContext.Current.CancellationToken, "keygen", "--repo", repo);
        Assert.Equal(1, exit);
        Assert.Contains("already exists", error, StringComparison.Ordinal);
        Assert.Equal(first, File.ReadAllText(Path.Combine(repo, "ed25519-private-key")));

        Assert.Equal(0, (await CliRunner.RunAsync(TestContext.Current.CancellationToken, "keygen", "--repo", repo, "--force")).ExitCode);
        Assert.NotEqual(first, File.ReadAllText(Path.Combine(repo, "ed25519-private-key")));
    }

    [Fact(Timeout = 30000)]
    public async Task Keygen_WithoutRepo_FailsWithUsage()
    {
        var (exit, _, error) = await CliRunner.RunAsync(TestContext.Current.CancellationToken, "keygen");
        Assert.NotEqual(0, exit);
        Assert.Contains("--repo", error, StringComparison.Ordinal);
    }
}
