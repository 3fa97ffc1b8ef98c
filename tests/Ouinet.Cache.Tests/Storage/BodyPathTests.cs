using Ouinet.Cache.Storage;

namespace Ouinet.Cache.Tests.Storage;

public class BodyPathTests
{
    [Theory]
    [InlineData("files/big.bin")]
    [InlineData("a/b/c d/é.txt")]
    public void ValidRelativePaths_AreAccepted(string path) => Assert.Null(BodyPath.Validate(path));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("/etc/passwd", "relative")]
    [InlineData("../outside", "\"..\"")]
    [InlineData("a/./b", "\".\"")]
    [InlineData("a//b", "empty")]
    [InlineData("a\\b", "forward slashes")]
    [InlineData("a\n", "newline")]
    public void InvalidPaths_AreRejectedWithReason(string path, string reason) =>
        Assert.Contains(reason, BodyPath.Validate(path), StringComparison.Ordinal);

    [Fact]
    public void Resolve_FindsFileUnderRoot()
    {
        using var rootDir = new TempDirectory("root");
        var root = rootDir.Path;
        Directory.CreateDirectory(Path.Combine(root, "files"));
        File.WriteAllText(Path.Combine(root, "files", "x"), "x");
        Assert.Equal(Path.Combine(root, "files", "x"), BodyPath.Resolve(root, "files/x", out var error));
        Assert.Null(error);
    }

    [Fact]
    public void Resolve_RefusesASymbolicLinkLeadingOutOfTheRoot()
    {
        using var rootDir = new TempDirectory("root");
        var root = rootDir.Path;
        using var outsideDir = new TempDirectory("outside");
        var outside = outsideDir.Path;
        File.WriteAllText(Path.Combine(outside, "secret"), "s");
        Directory.CreateSymbolicLink(Path.Combine(root, "link"), outside);
        Assert.Null(BodyPath.Resolve(root, "link/secret", out var error));
        Assert.Contains("outside", error, StringComparison.Ordinal);
    }
}
