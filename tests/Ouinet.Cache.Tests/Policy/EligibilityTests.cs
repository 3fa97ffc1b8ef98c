using Ouinet.Cache.Policy;
using Ouinet.Http;
using static Ouinet.Cache.Tests.Policy.CacheControlTests;

namespace Ouinet.Cache.Tests.Policy;

public class EligibilityTests
{
    private const string Uri = "https://example.com/page";

    [Theory]
    [InlineData("GET", RequestCacheability.Eligible)]
    [InlineData("HEAD", RequestCacheability.Eligible)]
    [InlineData("POST", RequestCacheability.NotGet)]
    [InlineData("PUT", RequestCacheability.NotGet)]
    public void OnlyGetAndHead_AreEligible(string method, RequestCacheability expected) =>
        Assert.Equal(expected, RequestPolicy.Classify(new HttpRequestHead(method, Uri)));

    [Fact]
    public void OuinetPrivate_MakesAnyRequestIneligible()
    {
        var request = new HttpRequestHead("GET", Uri, fields: Fields(("X-Ouinet-Private", "TRUE")));
        Assert.Equal(RequestCacheability.Private, RequestPolicy.Classify(request));
    }

    [Fact]
    public void GetWithABody_OrAMethodOverride_IsIneligible()
    {
        Assert.Equal(RequestCacheability.HasBody, RequestPolicy.Classify(new HttpRequestHead("GET", Uri, fields: Fields(("Content-Length", "3")))));
        Assert.Equal(RequestCacheability.MethodOverride, RequestPolicy.Classify(new HttpRequestHead("GET", Uri, fields: Fields(("X-HTTP-Method-Override", "DELETE")))));
    }

    [Theory]
    [InlineData(200, StoreDecision.Store)]
    [InlineData(301, StoreDecision.Store)]
    [InlineData(302, StoreDecision.Store)]
    [InlineData(307, StoreDecision.Store)]
    [InlineData(203, StoreDecision.StatusNotCacheable)]
    [InlineData(404, StoreDecision.StatusNotCacheable)]
    [InlineData(500, StoreDecision.StatusNotCacheable)]
    public void OnlyTheSpecsStatuses_AreStored(int status, StoreDecision expected) =>
        Assert.Equal(expected, ResponsePolicy.Decide(new HttpRequestHead("GET", Uri), Uri, new HttpResponseHead(status)));

    [Fact]
    public void NoStore_InRequestOrResponse_PreventsStoring()
    {
        Assert.Equal(StoreDecision.NoStore, ResponsePolicy.Decide(new HttpRequestHead("GET", Uri), Uri, Response(("Cache-Control", "no-store"))));
        Assert.Equal(StoreDecision.NoStore, ResponsePolicy.Decide(new HttpRequestHead("GET", Uri, fields: Fields(("Cache-Control", "no-store"))), Uri, Response()));
    }

    [Fact]
    public void PrivateResponse_ToAPlainRequest_IsStored_AsTheSpecsHeuristicSaysItIsUnwarranted()
    {
        var request = new HttpRequestHead("GET", Uri, fields: Fields(("Host", "example.com"), ("User-Agent", "x"), ("Accept-Language", "fr"), ("X-Ouinet-Group", "g")));
        Assert.Equal(StoreDecision.Store, ResponsePolicy.Decide(request, Uri, Response(("Cache-Control", "private"))));
    }

    [Theory]
    [InlineData("https://example.com/page?user=1", "Host", "example.com")]
    [InlineData(Uri, "Cookie", "session=1")]
    [InlineData(Uri, "X-Api-Key", "secret")]
    public void PrivateResponse_WithAQueryOrAConfidentialHeader_IsNotStored(string uri, string header, string value)
    {
        var request = new HttpRequestHead("GET", uri, fields: Fields((header, value)));
        Assert.Equal(StoreDecision.PrivateWarranted, ResponsePolicy.Decide(request, uri, Response(("Cache-Control", "private"))));
        Assert.Equal(StoreDecision.Store, ResponsePolicy.Decide(request, uri, Response(("Cache-Control", "private")), cachePrivate: true));
    }

    [Fact]
    public void AuthorizedRequest_IsStoredOnlyWhenTheResponseSaysItMayBeShared()
    {
        var request = new HttpRequestHead("GET", Uri, fields: Fields(("Authorization", "Basic eDp5")));
        Assert.Equal(StoreDecision.Authorized, ResponsePolicy.Decide(request, Uri, Response(("Cache-Control", "max-age=60"))));
        Assert.Equal(StoreDecision.Store, ResponsePolicy.Decide(request, Uri, Response(("Cache-Control", "public, max-age=60"))));
    }

    [Theory]
    [InlineData("Cache-Control", "no-cache", true)]
    [InlineData("Cache-Control", "max-age=0", true)]
    [InlineData("If-None-Match", "\"v1\"", true)]
    [InlineData("Cache-Control", "max-age=10", false)]
    public void RevalidationForcedByTheRequest(string name, string value, bool expected) =>
        Assert.Equal(expected, RequestPolicy.ForcesRevalidation(Fields((name, value))));

    private static HttpResponseHead Response(params (string, string)[] fields) => new(200, fields: Fields(fields));
}
