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
    internal sealed record Result(double AloneMbps, double Flow1Mbps, double Flow2Mbps, TimeSpan Convergence, IReadOnlyList<(double T, double A, double B)> Series);

    internal static Result Run(int seed = 5)
    {
        // 0 = router (bootstraps), 1 = server, 2 and 3 = clients; every member connects to the router only.
        var sim = SimOverlay.Create(4, SimOverlay.Star(4), seed, tweak: (i, c) => i == 0 ? c with { RateLimit = 100_000_000 } : c, connTimeout: 5000);
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
            const long Rate = 80_000_000;
            using var c1 = SimApps.Cbr(sim.Time, sim.Nodes[2], f1, Rate, 1000, t0 + TimeSpan.FromSeconds(4));
            sim.Time.RunFor(TimeSpan.FromSeconds(1.5));
            using var c2 = SimApps.Cbr(sim.Time, sim.Nodes[3], f2, Rate, 1000, t0 + TimeSpan.FromSeconds(4));
            var t2 = sim.Time.Elapsed;
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
            return new Result(alone, Mbps(a, t2 + TimeSpan.FromSeconds(1), end), Mbps(b, t2 + TimeSpan.FromSeconds(1), end), converged ?? TimeSpan.MaxValue, series);
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
        output.WriteLine($"alone {r.AloneMbps:0.0} Mb/s; together {r.Flow1Mbps:0.0} + {r.Flow2Mbps:0.0} Mb/s; converged after {r.Convergence.TotalMilliseconds:0} ms");
        foreach (var (t, a, b) in r.Series.Take(30))
        {
            output.WriteLine($"{t,6:0} ms  {a,6:0.0}  {b,6:0.0}");
        }
        Assert.InRange(r.AloneMbps, 70, 82);
        Assert.InRange(r.Flow1Mbps + r.Flow2Mbps, 75, 101);
        Assert.InRange(r.Flow1Mbps / (r.Flow1Mbps + r.Flow2Mbps), 0.4, 0.6);
        Assert.True(r.Convergence < TimeSpan.FromSeconds(1), $"converged after {r.Convergence}");
    }
}
