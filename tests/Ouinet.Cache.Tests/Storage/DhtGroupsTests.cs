using Ouinet.Cache.Storage;

namespace Ouinet.Cache.Tests.Storage;

public class DhtGroupsTests
{
    private static readonly string[] VectorUris =
    [
        "https://example.com/aligned.txt", "https://example.com/big.bin", "https://example.com/empty.txt",
        "https://example.com/hello", "https://example.com/old-location",
    ];

    [Fact]
    public void StaticCacheVector_HasTheExampleGroupWithAllFiveUris()
    {
        var groups = new DhtGroups(TestPaths.Vector("static-cache", ".ouinet"));
        var errors = new List<string>();
        Assert.Equal(["example.com"], groups.Groups(errors.Add));
        Assert.Equal(VectorUris, groups.Items("example.com", errors.Add));
        Assert.Empty(errors);
    }

    [Fact]
    public void Add_WritesTheSameFilesAsTheVectorTree()
    {
        using var temp = new TempDirectory("groups");
        var repo = temp.Path;
        var groups = new DhtGroups(repo);
        foreach (var uri in VectorUris)
        {
            groups.Add("example.com", uri);
        }
        var expected = TestPaths.Vector("static-cache", ".ouinet", DhtGroups.DirectoryName);
        var actual = Path.Combine(repo, DhtGroups.DirectoryName);
        Assert.Equal(Files(expected), Files(actual));
        foreach (var file in Files(expected))
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(expected, file)), File.ReadAllBytes(Path.Combine(actual, file)));
        }
    }

    [Fact]
    public void RemovingTheLastItem_RemovesTheGroupUnlessPinned()
    {
        using var temp = new TempDirectory("groups");
        var groups = new DhtGroups(temp.Path);
        groups.Add("g1", "https://a/");
        groups.Add("g2", "https://a/");
        Assert.True(groups.SetPinned("g2", true));
        Assert.Equal(["g1", "g2"], groups.RemoveEverywhere("https://a/").Order());
        Assert.Equal(["g2"], groups.Groups());
        Assert.Empty(groups.Items("g2"));
        Assert.True(groups.IsPinned("g2"));
    }

    [Fact]
    public void GroupFolderNotMatchingItsName_IsReportedAndSkipped()
    {
        using var temp = new TempDirectory("groups");
        var repo = temp.Path;
        var groups = new DhtGroups(repo);
        groups.Add("good", "https://a/");
        var bad = Directory.CreateDirectory(Path.Combine(repo, DhtGroups.DirectoryName, new string('0', 40))).FullName;
        File.WriteAllText(Path.Combine(bad, "group_name"), "impostor");
        var errors = new List<string>();
        Assert.Equal(["good"], groups.Groups(errors.Add));
        Assert.Contains(errors, e => e.Contains("SHA-1", StringComparison.Ordinal));
    }

    private static string[] Files(string root) =>
        [.. Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal)];
}
