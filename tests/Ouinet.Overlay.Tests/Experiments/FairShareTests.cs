using Ouinet.Overlay.Tests.Support;

namespace Ouinet.Overlay.Tests.Experiments;

/// <summary>
/// Ouroboros' MB-ECN experiment (blogs 2020-12-12/19): two clients, a router, a server in a star; the router's link to
/// the server capped at 100 Mb/s; ocbr with 1000-byte packets at about 80 Mb/s. Published: one flow alone ≈79 Mb/s;
/// with two, both converge within 100 ms to ≈42–45 Mb/s each. The cap sits in the router's overlay queue (as the
/// report says it must for MB-ECN to see it), in simulated time.
/// </summary>
public class FairShareTests(ITestOutputHelper output)
{
    internal sealed record Result(double AloneMbps, double Flow1Mbps, double Flow2Mbps, TimeSpan Convergence, IReadOnlyList<(double T, double A, double B)> Series, double MeanQueue, int MaxQueue, long Dropped);

    internal static Result Run(int seed = 5, long cap = 100_000_000, long rate = 80_000_000, TimeSpan? lateness = null)
    {
        // 0 = router (bootstraps), 1 = server, 2 and 3 = clients; every member connects to the router only.
        var sim = SimOverlay.Create(4, SimOverlay.Star(4), seed, tweak: (i, c) => i == 0 ? c with { RateLimit = cap } : c, connTimeout: 5000,
            nodeTime: lateness is { } late ? t => new LateTimers(t, late) : null);
        try
        {
            Assert.True(sim.RunUntilConverged(TimeSpan.FromSeconds(30)));
            sim.Nodes[1].Register("ocbr", "uni");
            var received = new Dictionary<string, List<(TimeSpan At, int Bytes)>>();
            sim.Nodes[1].BindInternal("ocbr", flow =>
            {
                var log = new List<(TimeSpan, int)>();
                received[$"f{received.Count + 1}"] = log;
                flow.Sink = m => log.Add((sim.Time.Elapsed, m.Length));
            });
            sim.Time.RunFor(TimeSpan.FromSeconds(2));
            var f1 = sim.Run(sim.Nodes[2].AllocAsync("ocbr", QosSpec.Raw, CancellationToken.None));
            var f2 = sim.Run(sim.Nodes[3].AllocAsync("ocbr", QosSpec.Raw, CancellationToken.None));
            var t0 = sim.Time.Elapsed;
            using var c1 = SimApps.Cbr(sim.Time, sim.Nodes[2], f1, rate, 1000, t0 + TimeSpan.FromSeconds(4));
            sim.Time.RunFor(TimeSpan.FromSeconds(1.5));
            using var c2 = SimApps.Cbr(sim.Time, sim.Nodes[3], f2, rate, 1000, t0 + TimeSpan.FromSeconds(4));
            var t2 = sim.Time.Elapsed;
            // The router's queue towards the server, sampled every millisecond from 1 s after the second flow joined.
            var queue = new List<int>();
            var router = sim.Unicast(0);
            using var sampler = sim.Time.CreateTimer(_ =>
            {
                if (sim.Time.Elapsed >= t2 + TimeSpan.FromSeconds(1))
                {
                    queue.Add(router.Neighbours.Sum(n => n.QueueLength));
                }
            }, null, TimeSpan.Zero, TimeSpan.FromMilliseconds(1));
            sim.Time.RunFor(TimeSpan.FromSeconds(2.5));

            double Mbps(List<(TimeSpan At, int Bytes)> log, TimeSpan from, TimeSpan to) =>
                log.Where(r => r.At >= from && r.At < to).Sum(r => r.Bytes) * 8 / (to - from).TotalSeconds / 1e6;
            var a = received["f1"];
            var b = received["f2"];
            var alone = Mbps(a, t0 + TimeSpan.FromSeconds(0.5), t2);
            var series = new List<(double, double, double)>();
            var bin = TimeSpan.FromMilliseconds(20);
            var horizon = t2 + TimeSpan.FromSeconds(2.4);
            var fairFrom = new List<(TimeSpan At, bool Fair)>();
            for (var t = t2; t + TimeSpan.FromMilliseconds(100) <= horizon; t += bin)
            {
                series.Add(((t - t2).TotalMilliseconds, Mbps(a, t, t + bin), Mbps(b, t, t + bin)));
                // Fair: over this 100 ms window each flow carries 40-60 % of what the two carry.
                var x = Mbps(a, t, t + TimeSpan.FromMilliseconds(100));
                var y = Mbps(b, t, t + TimeSpan.FromMilliseconds(100));
                fairFrom.Add((t - t2, x + y > 0 && Math.Abs(x - y) / (x + y) <= 0.2));
            }
            // Converged: the first window from which every later window is fair.
            var lastUnfair = fairFrom.FindLastIndex(f => !f.Fair);
            TimeSpan? converged = lastUnfair + 1 < fairFrom.Count ? fairFrom[lastUnfair + 1].At : null;
            var end = horizon;
            return new Result(alone, Mbps(a, t2 + TimeSpan.FromSeconds(1), end), Mbps(b, t2 + TimeSpan.FromSeconds(1), end), converged ?? TimeSpan.MaxValue, series,
                queue.Average(), queue.Max(), router.Neighbours.Sum(n => n.Dropped));
        }
        finally
        {
            sim.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    [Fact]
    public void Two_flows_through_a_rate_limited_member_converge_to_a_fair_share()
    {
        var r = Run();
        Report(r);
        Assert.InRange(r.AloneMbps, 70, 82);
        Assert.InRange(r.Flow1Mbps + r.Flow2Mbps, 75, 101);
        Assert.InRange(r.Flow1Mbps / (r.Flow1Mbps + r.Flow2Mbps), 0.4, 0.6);
        Assert.True(r.Convergence < TimeSpan.FromSeconds(1), $"converged after {r.Convergence}");
    }

    /// <summary>The namespace experiment's scale (20 Mb/s cap, 16 Mb/s flows) with every timer 1 ms late, as real ones are.</summary>
    [Fact]
    public void At_the_namespace_scale_with_late_timers_two_flows_converge_to_a_fair_share()
    {
        var r = Run(cap: 20_000_000, rate: 16_000_000, lateness: TimeSpan.FromMilliseconds(1));
        Report(r);
        Assert.InRange(r.AloneMbps, 14, 16.5);
        Assert.InRange(r.Flow1Mbps + r.Flow2Mbps, 15, 20.5);
        Assert.InRange(r.Flow1Mbps / (r.Flow1Mbps + r.Flow2Mbps), 0.4, 0.6);
        Assert.True(r.Convergence < TimeSpan.FromSeconds(1), $"converged after {r.Convergence}");
    }

    private void Report(Result r)
    {
        output.WriteLine($"alone {r.AloneMbps:0.0} Mb/s; together {r.Flow1Mbps:0.0} + {r.Flow2Mbps:0.0} Mb/s; converged after {r.Convergence.TotalMilliseconds:0} ms; router queue mean {r.MeanQueue:0} max {r.MaxQueue} packets, {r.Dropped} dropped");
        foreach (var (t, a, b) in r.Series.Where((_, i) => i % 5 == 0).Take(24))
        {
            output.WriteLine($"{t,6:0} ms  {a,6:0.0}  {b,6:0.0}");
        }
    }
}
