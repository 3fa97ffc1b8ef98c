using Ouinet.Protocol.Canonicalization;

namespace Ouinet.Protocol.Tests.Canonicalization;

public class CanonicalUriTests
{
    [Theory]
    [InlineData("https://example.com/hello")]
    [InlineData("http://example.com/")]
    [InlineData("http://example.com:8080/a?b=c&d=%2F")]
    [InlineData("https://[2001:db8::1]/")]
    [InlineData("https://example.com/A/%7e/./../Mixed?Q")]
    public void Canonical_uris_pass_unchanged(string uri)
    {
        Assert.Equal(CanonicalUriError.None, CanonicalUri.Check(uri));
        Assert.True(CanonicalUri.TryNormalize(uri, out var normalized, out _));
        Assert.Same(uri, normalized); // nothing rebuilt (the proxy's hot path normalizes every request)
    }

    [Theory]
    [InlineData("HTTPS://example.com/", CanonicalUriError.UpperCase, "https://example.com/")]
    [InlineData("https://Example.COM/Path", CanonicalUriError.UpperCase, "https://example.com/Path")]
    [InlineData("https://example.com:443/", CanonicalUriError.NonCanonicalPort, "https://example.com/")]
    [InlineData("http://example.com:80/", CanonicalUriError.NonCanonicalPort, "http://example.com/")]
    [InlineData("http://example.com:0080/", CanonicalUriError.NonCanonicalPort, "http://example.com/")]
    [InlineData("http://example.com:08080/", CanonicalUriError.NonCanonicalPort, "http://example.com:8080/")]
    [InlineData("https://example.com", CanonicalUriError.EmptyPath, "https://example.com/")]
    [InlineData("https://example.com?q=1", CanonicalUriError.EmptyPath, "https://example.com/?q=1")]
    [InlineData("https://example.com/page#section", CanonicalUriError.Fragment, "https://example.com/page")]
    public void Fixable_defects_are_reported_by_Check_and_fixed_by_TryNormalize(string uri, CanonicalUriError defect, string canonical)
    {
        Assert.Equal(defect, CanonicalUri.Check(uri));
        Assert.True(CanonicalUri.TryNormalize(uri, out var normalized, out _));
        Assert.Equal(canonical, normalized);
        Assert.Equal(CanonicalUriError.None, CanonicalUri.Check(normalized));
    }

    [Theory]
    [InlineData("", CanonicalUriError.Empty)]
    [InlineData("/relative", CanonicalUriError.NotAbsolute)]
    [InlineData("example.com/x", CanonicalUriError.NotAbsolute)]
    [InlineData("ftp://example.com/", CanonicalUriError.UnsupportedScheme)]
    [InlineData("https://user:pw@example.com/", CanonicalUriError.UserInfo)]
    [InlineData("https:///path", CanonicalUriError.InvalidHost)]
    [InlineData("https://exa mple.com/", CanonicalUriError.InvalidCharacter)]
    [InlineData("https://example.com/é", CanonicalUriError.InvalidCharacter)]
    [InlineData("https://exa!mple.com/", CanonicalUriError.InvalidHost)]
    [InlineData("https://[zz::1]/", CanonicalUriError.InvalidHost)]
    [InlineData("https://[::1]x/", CanonicalUriError.InvalidHost)]
    [InlineData("https://example.com:/", CanonicalUriError.InvalidPort)]
    [InlineData("https://example.com:65536/", CanonicalUriError.InvalidPort)]
    [InlineData("https://example.com:0/", CanonicalUriError.InvalidPort)]
    [InlineData("https://example.com:8o/", CanonicalUriError.InvalidPort)]
    public void Unfixable_uris_are_refused_with_the_reason(string uri, CanonicalUriError expected)
    {
        Assert.Equal(expected, CanonicalUri.Check(uri));
        Assert.False(CanonicalUri.TryNormalize(uri, out var normalized, out var error));
        Assert.Null(normalized);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Every_vector_uri_is_canonical()
    {
        foreach (var v in Support.Manifest.Root.GetProperty("vectors").EnumerateArray())
        {
            Assert.Equal(CanonicalUriError.None, CanonicalUri.Check(v.GetProperty("uri").GetString()));
        }
    }
}
