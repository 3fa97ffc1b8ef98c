using Ouinet.Cache.Policy;
using Ouinet.Http;

namespace Ouinet.Cache.Tests.Policy;

public class CacheControlTests
{
    [Fact]
    public void Directives_FromSeveralLines_AreCombined()
    {
        var cc = CacheControl.From(Fields(("Cache-Control", "public"), ("cache-control", "max-age=3600, s-maxage=\"60\", No-Store")));
        Assert.True(cc.Public);
        Assert.True(cc.NoStore);
        Assert.Equal(TimeSpan.FromHours(1), cc.MaxAge);
        Assert.Equal(TimeSpan.FromMinutes(1), cc.SharedMaxAge);
    }

    [Fact]
    public void QuotedCommas_DoNotSplitDirectives()
    {
        var cc = CacheControl.From(Fields(("Cache-Control", "private=\"Set-Cookie, X-A\", max-age=5")));
        Assert.True(cc.Private);
        Assert.Equal(TimeSpan.FromSeconds(5), cc.MaxAge);
    }

    [Theory]
    [InlineData("max-age=abc", 0)]
    [InlineData("max-age=-5", 0)]
    [InlineData("max-age=99999999999999999999", int.MaxValue)]
    public void MalformedOrHugeAges_AreStaleOrCapped(string value, long seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), CacheControl.From(Fields(("Cache-Control", value))).MaxAge);

    [Fact]
    public void PragmaNoCache_CountsOnlyWithoutCacheControl()
    {
        Assert.True(CacheControl.From(Fields(("Pragma", "no-cache"))).NoCache);
        Assert.False(CacheControl.From(Fields(("Pragma", "no-cache"), ("Cache-Control", "max-age=5"))).NoCache);
    }

    internal static HttpFields Fields(params (string Name, string Value)[] fields)
    {
        var f = new HttpFields();
        foreach (var (n, v) in fields)
        {
            f.Add(n, v);
        }
        return f;
    }
}
