using Microsoft.Extensions.Time.Testing;
using Ouinet.Client.Routing;

namespace Ouinet.Client.Tests.Routing;

public sealed class RequestStatisticsTests
{
    [Fact]
    public void Requests_AreCountedPerMinuteAndSource_OverTheLastHourOnly_AndTheRecentOnesAreBounded()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(60 * 1000));
        var statistics = new RequestStatistics(time);
        statistics.Record("GET", "https://a/", Mechanism.Origin, 200);
        time.Advance(TimeSpan.FromMinutes(30));
        statistics.Record("GET", "https://b/", Mechanism.Injector, 200);
        statistics.Record("GET", "https://c/", Mechanism.StaleCache, 200);
        statistics.Record("GET", "https://d/", null, 502);

        var hour = statistics.LastHour();
        Assert.Equal(RequestStatistics.Minutes, hour.Count);
        Assert.Equal(1, hour[^31].BySource["origin"]);
        Assert.Equal(1, hour[^1].BySource["injector"]);
        Assert.Equal(1, hour[^1].BySource["local-cache"]);
        Assert.Equal(1, hour[^1].BySource[RequestStatistics.Failed]);
        var recent = statistics.Recent();
        Assert.Equal(["https://d/", "https://c/", "https://b/", "https://a/"], recent.Select(r => r.Uri));
        Assert.Equal(["none", "verified (stale)", "verified", "not signed"], recent.Select(r => r.Verification));

        time.Advance(TimeSpan.FromMinutes(31));
        statistics.Record("GET", "https://e/", Mechanism.Proxy, 200);
        Assert.Equal(4, statistics.LastHour().Sum(m => m.BySource.Values.Sum()));
        Assert.DoesNotContain(statistics.LastHour(), m => m.BySource.ContainsKey("origin"));

        for (var i = 0; i < RequestStatistics.RecentCapacity + 10; i++)
        {
            statistics.Record("GET", $"https://x/{i}", Mechanism.Origin, 200);
        }
        Assert.Equal(RequestStatistics.RecentCapacity, statistics.Recent().Count);
        Assert.Equal(RequestStatistics.RecentCapacity + 15, statistics.Total);
    }
}
