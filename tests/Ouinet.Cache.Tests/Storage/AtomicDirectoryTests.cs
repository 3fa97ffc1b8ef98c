using Ouinet.Cache.Storage;

namespace Ouinet.Cache.Tests.Storage;

public sealed class AtomicDirectoryTests : IDisposable
{
    private readonly TempDirectory _temp = new("atomic");

    private string Parent => _temp.Path;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Commit_OfNewDirectory_MakesItVisible()
    {
        var target = Path.Combine(Parent, "entry");
        var staged = Stage(target, "new");
        AtomicDirectory.Commit(staged, target);
        Assert.Equal("new", File.ReadAllText(Path.Combine(target, "head")));
        Assert.Single(Directory.EnumerateDirectories(Parent));
    }

    [Fact]
    public void Commit_OverExistingDirectory_ReplacesItAndLeavesNothingBehind()
    {
        var target = Path.Combine(Parent, "entry");
        AtomicDirectory.Commit(Stage(target, "old"), target);
        File.WriteAllText(Path.Combine(target, "body"), "old body only");
        AtomicDirectory.Commit(Stage(target, "new"), target);
        Assert.Equal("new", File.ReadAllText(Path.Combine(target, "head")));
        Assert.False(File.Exists(Path.Combine(target, "body")), "no file of the old version may survive in the new one");
        Assert.Single(Directory.EnumerateDirectories(Parent));
    }

    [Fact]
    public void Recover_AfterCrashWhileStaging_KeepsTheOldEntry()
    {
        var target = Path.Combine(Parent, "entry");
        AtomicDirectory.Commit(Stage(target, "old"), target);
        Stage(target, "half-written");
        Assert.Equal(1, AtomicDirectory.Recover(Parent));
        Assert.Equal("old", File.ReadAllText(Path.Combine(target, "head")));
        Assert.Single(Directory.EnumerateDirectories(Parent));
    }

    [Fact]
    public void Recover_AfterCrashBetweenFallbackRenames_PutsTheOldEntryBack()
    {
        // The fallback moves the old entry aside before moving the new one in; a crash in between leaves no entry.
        var target = Path.Combine(Parent, "entry");
        AtomicDirectory.Commit(Stage(target, "old"), target);
        Directory.Move(target, target + AtomicDirectory.OldSuffix + "crash");
        Stage(target, "new");
        Assert.Equal(2, AtomicDirectory.Recover(Parent));
        Assert.Equal("old", File.ReadAllText(Path.Combine(target, "head")));
    }

    [Fact]
    public void Recover_AfterCrashBeforeDeletingTheSwappedOutVersion_KeepsTheNewEntry()
    {
        var target = Path.Combine(Parent, "entry");
        AtomicDirectory.Commit(Stage(target, "new"), target);
        var leftover = Directory.CreateDirectory(target + AtomicDirectory.OldSuffix + "crash").FullName;
        File.WriteAllText(Path.Combine(leftover, "head"), "old");
        Assert.Equal(1, AtomicDirectory.Recover(Parent));
        Assert.Equal("new", File.ReadAllText(Path.Combine(target, "head")));
        Assert.Single(Directory.EnumerateDirectories(Parent));
    }

    [Fact]
    public void CommitWithoutCleanup_ReturnsTheReplacedVersionUnderANameRecoveryRemoves()
    {
        var target = Path.Combine(Parent, "entry");
        Assert.Null(AtomicDirectory.CommitWithoutCleanup(Stage(target, "old"), target));
        var replaced = AtomicDirectory.CommitWithoutCleanup(Stage(target, "new"), target);
        Assert.NotNull(replaced);
        Assert.Equal("old", File.ReadAllText(Path.Combine(replaced, "head")));
        Assert.Equal("new", File.ReadAllText(Path.Combine(target, "head")));
        Assert.True(AtomicDirectory.IsLeftover(Path.GetFileName(replaced)));
        Assert.Equal(1, AtomicDirectory.Recover(Parent));
        Assert.Equal("new", File.ReadAllText(Path.Combine(target, "head")));
        Assert.Single(Directory.EnumerateDirectories(Parent));
    }

    [Fact]
    public void MoveAsideForDeletion_HidesTheDirectoryAndRecoveryFinishesTheRemoval()
    {
        var target = Path.Combine(Parent, "entry");
        AtomicDirectory.Commit(Stage(target, "old"), target);
        var aside = AtomicDirectory.MoveAsideForDeletion(target);
        Assert.NotNull(aside);
        Assert.False(Directory.Exists(target));
        Assert.Null(AtomicDirectory.MoveAsideForDeletion(target));
        Assert.Equal(1, AtomicDirectory.Recover(Parent));
        Assert.Empty(Directory.EnumerateDirectories(Parent));
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef012345", false)]
    [InlineData("0123456789abcdef0123456789abcdef012345.new-0123456789ab", true)]
    [InlineData("0123456789abcdef0123456789abcdef012345.old-0123456789ab", true)]
    [InlineData("0123456789abcdef0123456789abcdef012345.del-0123456789ab", true)]
    [InlineData(".new-0123456789ab", false)]
    public void IsLeftover_RecognisesTheNamesOfInterruptedWrites(string name, bool leftover) =>
        Assert.Equal(leftover, AtomicDirectory.IsLeftover(name));

    private static string Stage(string target, string head)
    {
        var staged = AtomicDirectory.NewSiblingPath(target);
        Directory.CreateDirectory(staged);
        File.WriteAllText(Path.Combine(staged, "head"), head);
        return staged;
    }
}
