using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Ouinet.Client.Proxy;
using Ouinet.Client.Routing;
using Ouinet.Client.Upstream;
using Ouinet.Http;
using Ouinet.Injector;
using Ouinet.Injector.Origin;
using M = Ouinet.Client.Routing.Mechanism;

namespace Ouinet.Client.Tests.Routing;

/// <summary>The router with fake mechanisms: order, fall-through, racing.</summary>
public sealed class RequestRouterTests
{
    private sealed class FakeAnswer(M source) : Answer
    {
        public bool Disposed { get; private set; }

        public override M Source => source;

        public override int Status => 200;

        public override Task<bool> SendAsync(BrowserExchange browser, CancellationToken cancellationToken) => Task.FromResult(true);

        public override ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }

    private sealed class Fake(M kind, Func<CancellationToken, Task<Answer>> behaviour) : IMechanism
    {
        public int Calls { get; private set; }

        public M Kind => kind;

        public Task<Answer> TryAsync(RouteRequest request, CancellationToken cancellationToken)
        {
            Calls++;
            return behaviour(cancellationToken);
        }

        public static Fake Answers(M kind) => new(kind, _ => Task.FromResult<Answer>(new FakeAnswer(kind)));

        public static Fake Fails(M kind, Exception e) => new(kind, _ => Task.FromException<Answer>(e));
    }

    private static RouteRequest Request(string method = "GET", byte[]? body = null)
    {
        Assert.True(TargetUri.TryParse("https://example.com/page", out var target));
        return new RouteRequest { Head = new HttpRequestHead(method, "https://example.com/page"), Target = target, Uri = "https://example.com/page", CanonicalUri = "https://example.com/page", Body = body is null ? (ReadOnlyMemory<byte>?)null : body };
    }

    private static RequestRouter Router(TimeProvider? time = null, TimeSpan? race = null, params IMechanism[] mechanisms) =>
        new(mechanisms, race ?? TimeSpan.FromSeconds(3), time ?? TimeProvider.System, NullLogger.Instance);

    [Fact(Timeout = 10000)]
    public async Task FailuresBeforeAHead_FallThrough_InPlanOrder_WithTheirReasons()
    {
        var origin = Fake.Fails(M.Origin, new OriginException(OriginError.ConnectFailed, "refused"));
        var injector = Fake.Fails(M.Injector, new MechanismFailedException("the injector answered 502 3 Resource retrieval failed"));
        var stale = Fake.Answers(M.StaleCache);
        var router = Router(null, null, origin, injector, stale);
        var outcome = await router.RouteAsync(Request(), new RoutePlan([M.Origin, M.Injector, M.Proxy, M.StaleCache], "test"), TestContext.Current.CancellationToken);
        Assert.Equal(M.StaleCache, outcome.Answer!.Source);
        Assert.Equal(["origin: refused", "injector: the injector answered 502 3 Resource retrieval failed"], outcome.Failures);
    }

    [Fact(Timeout = 10000)]
    public async Task WhenEverythingFails_ThereIsNoAnswer_AndEveryReason()
    {
        var router = Router(null, null, Fake.Fails(M.Origin, new IOException("reset")), Fake.Fails(M.Proxy, new InjectorUnreachableException("down")));
        var outcome = await router.RouteAsync(Request("POST", [1]), new RoutePlan([M.Origin, M.Proxy], "test"), TestContext.Current.CancellationToken);
        Assert.Null(outcome.Answer);
        Assert.Equal(2, outcome.Failures.Count);
        var empty = await router.RouteAsync(Request(), new RoutePlan([], "none"), TestContext.Current.CancellationToken);
        Assert.Equal(["no mechanism is enabled for this request"], empty.Failures);
    }

    [Fact(Timeout = 10000)]
    public async Task TheFirstMechanismWithAHead_Wins_AndLaterOnesAreNotTried()
    {
        var cache = Fake.Answers(M.LocalCache);
        var origin = Fake.Answers(M.Origin);
        var outcome = await Router(null, null, cache, origin).RouteAsync(Request(), new RoutePlan([M.LocalCache, M.Origin], "t"), TestContext.Current.CancellationToken);
        Assert.Equal(M.LocalCache, outcome.Answer!.Source);
        Assert.Equal(0, origin.Calls);
    }

    [Fact(Timeout = 10000)]
    public async Task ASlowOrigin_IsRacedAfterTheDelay_AndTheLoserIsReleased()
    {
        var time = new FakeTimeProvider();
        var originAnswer = new TaskCompletionSource<Answer>(TaskCreationOptions.RunContinuationsAsynchronously);
        var originCanceled = false;
        var origin = new Fake(M.Origin, async ct =>
        {
            using var registration = ct.Register(() =>
            {
                originCanceled = true;
                originAnswer.TrySetCanceled(ct);
            });
            return await originAnswer.Task;
        });
        var injector = Fake.Answers(M.Injector);
        var router = Router(time, TimeSpan.FromSeconds(3), origin, injector);
        var routing = router.RouteAsync(Request(), new RoutePlan([M.Origin, M.Injector], "t"), TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromSeconds(2.9));
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.Equal(0, injector.Calls); // within the delay only the origin runs
        while (!routing.IsCompleted)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
        var outcome = await routing;
        Assert.Equal(M.Injector, outcome.Answer!.Source);
        Assert.True(originCanceled);
    }

    [Fact(Timeout = 10000)]
    public async Task AnOriginThatFailsQuickly_HandsOverAtOnce()
    {
        var time = new FakeTimeProvider();
        var router = Router(time, TimeSpan.FromSeconds(3), Fake.Fails(M.Origin, new OriginException(OriginError.DnsFailure, "no such host")), Fake.Answers(M.Injector));
        var outcome = await router.RouteAsync(Request(), new RoutePlan([M.Origin, M.Injector], "t"), TestContext.Current.CancellationToken);
        Assert.Equal(M.Injector, outcome.Answer!.Source);
    }

    [Fact(Timeout = 10000)]
    public async Task RequestsWithABody_AreNeverRaced()
    {
        var time = new FakeTimeProvider();
        var gate = new TaskCompletionSource<Answer>(TaskCreationOptions.RunContinuationsAsynchronously);
        var origin = new Fake(M.Origin, _ => gate.Task);
        var proxy = Fake.Answers(M.Proxy);
        var routing = Router(time, TimeSpan.FromSeconds(3), origin, proxy).RouteAsync(Request("POST", [1, 2]), new RoutePlan([M.Origin, M.Proxy], "t"), TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromSeconds(10));
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.Equal(0, proxy.Calls);
        gate.SetResult(new FakeAnswer(M.Origin));
        Assert.Equal(M.Origin, (await routing).Answer!.Source);
    }

    [Theory]
    [InlineData("127.0.0.1", TargetKind.Local)]
    [InlineData("[::1]", TargetKind.Local)]
    [InlineData("10.1.2.3", TargetKind.Local)]
    [InlineData("192.168.0.1", TargetKind.Local)]
    [InlineData("localhost", TargetKind.Local)]
    [InlineData("printer.local", TargetKind.Local)]
    [InlineData("nas.home", TargetKind.Local)]
    [InlineData("example.com", TargetKind.Public)]
    [InlineData("93.184.216.34", TargetKind.Public)]
    public void Targets_AreClassifiedWithoutDns(string host, TargetKind kind)
    {
        var domain = host == "nas.home" ? "home" : "local";
        Assert.Equal(kind, TargetClassifier.Classify(host, domain));
    }
}
