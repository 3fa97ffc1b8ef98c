using Microsoft.Extensions.Time.Testing;
using Ouinet.Client.Logging;

namespace Ouinet.Client.Tests.Logging;

public sealed class LogFileTests
{
    [Fact]
    public void Lines_AreWrittenOnlyWhileEnabled_AndAFullFileStartsOver_KeepingTheLatestLines()
    {
        using var repo = new TempDirectory();
        using var file = new LogFile(repo.Path, new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000)), maxBytes: 200);
        file.Write("INFO", "test", "before enabling");
        Assert.False(File.Exists(file.Path));
        file.SetEnabled(true);
        for (var i = 0; i < 10; i++)
        {
            file.Write("INFO", "test", $"line {i}");
        }
        file.SetEnabled(false);
        file.Write("INFO", "test", "after disabling");
        var text = File.ReadAllText(file.Path);
        Assert.True(new FileInfo(file.Path).Length <= 200);
        Assert.Contains("2023-11-14T22:13:20.000Z [INFO] test: line 9\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("line 0", text, StringComparison.Ordinal);
        Assert.DoesNotContain("disabling", text, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file.Path));
    }
}
