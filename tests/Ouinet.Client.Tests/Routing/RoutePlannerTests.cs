using Ouinet.Client.Routing;
using Ouinet.Http;
using M = Ouinet.Client.Routing.Mechanism;

namespace Ouinet.Client.Tests.Routing;

public class RoutePlannerTests
{
    private static readonly EnabledMechanisms All = new();

    [Fact]
    public void CacheableGet_TriesFreshCacheThenOriginThenInjectorThenPeersThenProxyThenStale()
    {
        Assert.Equal([M.LocalCache, M.Origin, M.Injector, M.DistributedCache, M.Proxy, M.StaleCache],
            RoutePlanner.Plan(Get(), TargetKind.Public, StoredState.Fresh, All).Mechanisms);
        Assert.Equal([M.Origin, M.Injector, M.DistributedCache, M.Proxy, M.StaleCache],
            RoutePlanner.Plan(Get(), TargetKind.Public, StoredState.Stale, All).Mechanisms);
        Assert.Equal([M.Origin, M.Injector, M.DistributedCache, M.Proxy],
            RoutePlanner.Plan(Get(), TargetKind.Public, StoredState.None, All).Mechanisms);
    }

    [Theory]
    [InlineData("POST", null, null)]
    [InlineData("GET", "X-Ouinet-Private", "true")]
    [InlineData("GET", "Cookie", "session=1")]
    [InlineData("GET", "Authorization", "Basic eDp5")]
    public void PrivateOrPersonalRequests_GoToTheOriginOrTheProxy_NeverTheCacheOrInjection(string method, string? name, string? value)
    {
        var request = new HttpRequestHead(method, "https://example.com/");
        if (name is not null)
        {
            request.Fields.Add(name, value!);
        }
        Assert.Equal([M.Origin, M.Proxy], RoutePlanner.Plan(request, TargetKind.Public, StoredState.Fresh, All).Mechanisms);
    }

    [Fact]
    public void CacheablePlans_BuiltOnceEach_FollowEverySwitchAndState()
    {
        var revalidating = Get();
        revalidating.Fields.Add("Cache-Control", "no-cache");
        for (var bits = 0; bits < 16; bits++)
        {
            var enabled = new EnabledMechanisms(Origin: (bits & 1) != 0, Proxy: (bits & 2) != 0, Injector: (bits & 4) != 0, DistributedCache: (bits & 8) != 0);
            foreach (var stored in new[] { StoredState.None, StoredState.Fresh, StoredState.Stale })
            {
                foreach (var request in new[] { Get(), revalidating })
                {
                    var expected = new List<M>();
                    if (stored == StoredState.Fresh && !request.Fields.Contains("Cache-Control"))
                    {
                        expected.Add(M.LocalCache);
                    }
                    expected.AddRange(new[] { M.Origin, M.Injector, M.DistributedCache, M.Proxy }.Where(m => m switch
                    {
                        M.Origin => enabled.Origin,
                        M.Injector => enabled.Injector,
                        M.DistributedCache => enabled.DistributedCache,
                        _ => enabled.Proxy,
                    }));
                    if (stored != StoredState.None)
                    {
                        expected.Add(M.StaleCache);
                    }
                    var plan = RoutePlanner.Plan(request, TargetKind.Public, stored, enabled);
                    Assert.Equal(expected, plan.Mechanisms);
                    Assert.Same(plan, RoutePlanner.Plan(request, TargetKind.Public, stored, enabled));
                }
            }
        }
    }

    [Fact]
    public void LocalTargets_GoToTheOriginOnly_UnlessAllowed()
    {
        Assert.Equal([M.Origin], RoutePlanner.Plan(Get(), TargetKind.Local, StoredState.Fresh, All).Mechanisms);
        Assert.Equal(M.LocalCache, RoutePlanner.Plan(Get(), TargetKind.Local, StoredState.Fresh, All, allowPrivateTargets: true).Mechanisms[0]);
    }

    [Fact]
    public void RevalidationRequests_SkipTheFreshEntry_ButKeepItAsLastResort()
    {
        var request = Get();
        request.Fields.Add("Cache-Control", "no-cache");
        Assert.Equal([M.Origin, M.Injector, M.DistributedCache, M.Proxy, M.StaleCache], RoutePlanner.Plan(request, TargetKind.Public, StoredState.Fresh, All).Mechanisms);
    }

    [Fact]
    public void SwitchedOffMechanisms_AreLeftOut()
    {
        var onlyCache = new EnabledMechanisms(Origin: false, Proxy: false, Injector: false, DistributedCache: false);
        Assert.Equal([M.LocalCache, M.StaleCache], RoutePlanner.Plan(Get(), TargetKind.Public, StoredState.Fresh, onlyCache).Mechanisms);
        Assert.Empty(RoutePlanner.Plan(new HttpRequestHead("POST", "https://example.com/"), TargetKind.Public, StoredState.None, onlyCache).Mechanisms);
    }

    [Theory]
    [InlineData(M.LocalCache, "local-cache")]
    [InlineData(M.StaleCache, "local-cache")]
    [InlineData(M.Origin, "origin")]
    [InlineData(M.Proxy, "proxy")]
    [InlineData(M.Injector, "injector")]
    [InlineData(M.DistributedCache, "dist-cache")]
    public void Sources_AreOuinetsNames(M mechanism, string source) => Assert.Equal(source, mechanism.Source());

    private static HttpRequestHead Get() => new("GET", "https://example.com/page");
}
