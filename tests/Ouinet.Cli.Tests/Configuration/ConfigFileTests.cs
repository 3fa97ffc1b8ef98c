using Ouinet.Cli.Configuration;

namespace Ouinet.Cli.Tests.Configuration;

public class ConfigFileTests
{
    [Fact]
    public void KeyValueLines_CommentsAndRepeats_AreRead()
    {
        var entries = ConfigFile.Parse(
            "# Ouinet client\n\nlisten-on-tcp = 127.0.0.1:8077   # proxy\r\nbt-bootstrap-extra=a:1\nbt-bootstrap-extra = b:2\ninjector-credentials = \"user:pa#ss\"\n",
            "test.conf");
        Assert.Equal(
            [("listen-on-tcp", "127.0.0.1:8077", 3), ("bt-bootstrap-extra", "a:1", 4), ("bt-bootstrap-extra", "b:2", 5), ("injector-credentials", "user:pa#ss", 6)],
            entries.Select(e => (e.Key, e.Value, e.Line)));
    }

    [Fact]
    public void Sections_PrefixTheKeys()
    {
        var entries = ConfigFile.Parse("[metrics]\nserver-url = x\n", "t");
        Assert.Equal("metrics.server-url", Assert.Single(entries).Key);
    }

    [Theory]
    [InlineData("just-a-key\n", "t:1: expected \"key = value\"")]
    [InlineData("\n= value\n", "t:2: invalid option name")]
    [InlineData("bad key = 1\n", "t:1: invalid option name")]
    [InlineData("[unterminated\n", "t:1: malformed section header")]
    public void MalformedLines_NameFileAndLine(string text, string message)
    {
        var e = Assert.Throws<ConfigFileException>(() => ConfigFile.Parse(text, "t"));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OverlongLine_IsRejected()
    {
        var e = Assert.Throws<ConfigFileException>(() => ConfigFile.Parse("k = " + new string('x', ConfigFile.MaxLineLength), "t"));
        Assert.Contains("longer than", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_ThenParse_RoundTrips()
    {
        var pairs = new[] { KeyValuePair.Create("log-level", "INFO"), KeyValuePair.Create("disable-origin-access", "0") };
        Assert.Equal(pairs.Select(p => (p.Key, p.Value)), ConfigFile.Parse(ConfigFile.Format(pairs), "t").Select(e => (e.Key, e.Value)));
    }
}
