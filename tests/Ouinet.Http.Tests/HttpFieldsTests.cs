namespace Ouinet.Http.Tests;

public class HttpFieldsTests
{
    [Fact]
    public void Lookup_IsCaseInsensitive_AndKeepsOrderAndRepeats()
    {
        var f = new HttpFields();
        f.Add("Cache-Control", "public");
        f.Add("Content-Type", "text/plain");
        f.Add("cache-control", "max-age=3600");

        Assert.Equal("public", f["CACHE-CONTROL"]);
        Assert.Equal(["public", "max-age=3600"], f.GetAll("Cache-Control"));
        Assert.Equal("public, max-age=3600", f.GetCombined("cache-control"));
        Assert.Equal(["Cache-Control", "Content-Type", "cache-control"], f.Select(x => x.Name));
    }

    [Fact]
    public void Set_ReplacesFirstInPlace_AndDropsLaterRepeats()
    {
        var f = new HttpFields();
        f.Add("A", "1");
        f.Add("B", "2");
        f.Add("a", "3");
        f.Set("A", "x");
        Assert.Equal(["A: x", "B: 2"], f.Select(x => x.ToString()));
    }

    [Theory]
    [InlineData("Bad Name", "v")]
    [InlineData("", "v")]
    [InlineData("X", "a\r\nInjected: yes")]
    [InlineData("X", "nul\0")]
    public void Add_RejectsNamesThatAreNotTokens_AndValuesWithControls(string name, string value)
    {
        Assert.Throws<ArgumentException>(() => new HttpFields().Add(name, value));
    }
}
