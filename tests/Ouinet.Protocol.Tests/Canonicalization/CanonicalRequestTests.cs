using Ouinet.Http;
using Ouinet.Protocol.Canonicalization;
using Ouinet.Protocol.Tests.Support;

namespace Ouinet.Protocol.Tests.Canonicalization;

public class CanonicalRequestTests
{
    [Fact]
    public void The_request_has_exactly_the_spec_fields_in_order()
    {
        var client = HeadText.Fields(
            "Host: evil.example", "Cookie: secret", "Accept-Language: fr", "Origin: https://a.example",
            "From: me@example.com", "User-Agent: Browser/1", "Origin: https://b.example");

        var request = CanonicalRequest.Create("https://example.com/a/b?c=d", client);

        Assert.Equal("GET", request.Method);
        Assert.Equal("/a/b?c=d", request.Target);
        Assert.Equal(HttpProtocolVersion.Http11, request.Version);
        Assert.Equal(
            [
                "Host: example.com",
                "Accept: */*",
                "Accept-Encoding: ",
                "DNT: 1",
                "Upgrade-Insecure-Requests: 1",
                "User-Agent: Mozilla/5.0 (Windows NT 10.0; rv:68.0) Gecko/20100101 Firefox/68.0",
                "Origin: https://a.example",
                "From: me@example.com",
            ],
            request.Fields.Select(f => f.ToString()));
    }

    [Theory]
    [InlineData("http://example.com:8080/", "example.com:8080", "/")]
    [InlineData("https://[2001:db8::1]:8443/x", "[2001:db8::1]:8443", "/x")]
    [InlineData("https://example.com/?q", "example.com", "/?q")]
    public void Host_carries_a_non_default_port(string uri, string host, string target)
    {
        var request = CanonicalRequest.Create(uri, null, "HEAD");

        Assert.Equal("HEAD", request.Method);
        Assert.Equal(host, request.Fields.Get("Host"));
        Assert.Equal(target, request.Target);
    }

    [Fact]
    public void TryCreate_normalizes_first_and_reports_what_cannot_be_fixed()
    {
        Assert.True(CanonicalRequest.TryCreate("HTTPS://Example.COM:443#top", null, "GET", out var request, out _));
        Assert.Equal("example.com", request.Fields.Get("Host"));
        Assert.Equal("/", request.Target);

        Assert.False(CanonicalRequest.TryCreate("ftp://example.com/", null, "GET", out _, out var error));
        Assert.Equal(CanonicalUriError.UnsupportedScheme, error);
        Assert.True(CanonicalRequest.TryCreate(new Uri("https://example.com/a/./b"), null, "GET", out var fromUri, out _));
        Assert.Equal("/a/b", fromUri.Target);
        Assert.Equal("example.com:8443", CanonicalRequest.Create(new Uri("HTTPS://EXAMPLE.com:8443/#x")).Fields.Get("Host"));
        Assert.Throws<ArgumentException>(() => CanonicalRequest.Create(new Uri("https://user@example.com/")));
        Assert.False(CanonicalRequest.TryCreate(new Uri("/relative", UriKind.Relative), null, "GET", out _, out error));
        Assert.Equal(CanonicalUriError.NotAbsolute, error);
    }

    [Fact]
    public void A_non_canonical_uri_or_another_method_is_a_caller_bug()
    {
        Assert.Throws<ArgumentException>(() => CanonicalRequest.Create("https://Example.com/"));
        Assert.Throws<ArgumentException>(() => CanonicalRequest.Create("https://example.com/", null, "POST"));
    }
}
