using Ouinet.Overlay.Tests.Support;

namespace Ouinet.Overlay.Tests.Simulation;

/// <summary>A member's rate limit (<c>rate</c>, the queue MB-ECN reads) when its timers fire late, as real ones do.</summary>
public class RateLimitTests(ITestOutputHelper output)
{
    [Fact(Timeout = 60_000)]
    public async Task A_flow_below_the_cap_keeps_its_rate_when_the_members_timers_fire_a_millisecond_late()
    {
        // Before the drain caught up with what fell due, each late tick sent one packet: with 1000-byte packets
        // (0.4 ms each at 20 Mb/s) and 1 ms late timers, a queue that had built up drained at about 5.7 Mb/s.
        const long Cap = 20_000_000;
        const long Rate = 16_000_000; // 10 × 1000 bytes per 5 ms
        var sim = SimOverlay.Create(3, SimOverlay.Star(3), seed: 4, tweak: (i, c) => i == 0 ? c with { RateLimit = Cap } : c,
            connTimeout: 5000, nodeTime: t => new LateTimers(t, TimeSpan.FromMilliseconds(1)));
        await using var _ = sim;
        Assert.True(sim.RunUntilConverged(TimeSpan.FromSeconds(60)));
        var received = new List<(TimeSpan At, int Bytes)>();
        sim.Nodes[1].Register("ocbr", "uni");
        sim.Nodes[1].BindInternal("ocbr", flow => flow.Sink = m => received.Add((sim.Time.Elapsed, m.Length)));
        sim.Time.RunFor(TimeSpan.FromSeconds(2));
        var flow = sim.Run(sim.Nodes[2].AllocAsync("ocbr", QosSpec.Raw, TestContext.Current.CancellationToken), TimeSpan.FromSeconds(30));
        var start = sim.Time.Elapsed;
        // 16 Mb/s in bursts of ten 1000-byte messages every 5 ms (real senders are bursty: sockets, pacing timers).
        using var bursts = sim.Time.CreateTimer(_ =>
        {
            lock (sim.Nodes[2].Context.Gate)
            {
                for (var i = 0; i < 10; i++)
                {
                    flow.TrySend(new byte[1000]);
                }
            }
        }, null, TimeSpan.Zero, TimeSpan.FromMilliseconds(5));
        sim.Time.RunFor(TimeSpan.FromSeconds(3));
        var from = start + TimeSpan.FromSeconds(1);
        var to = start + TimeSpan.FromSeconds(3);
        var mbps = received.Where(r => r.At >= from && r.At < to).Sum(r => r.Bytes) * 8 / (to - from).TotalSeconds / 1e6;
        output.WriteLine($"{mbps:0.0} Mb/s of {Rate / 1e6} sent through a {Cap / 1e6} Mb/s cap with 1 ms late timers");
        Assert.True(mbps > Rate / 1e6 * 0.9, $"{mbps:0.0} Mb/s");
    }
}
