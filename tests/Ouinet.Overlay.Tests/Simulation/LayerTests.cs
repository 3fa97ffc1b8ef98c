using Ouinet.Overlay.Tests.Support;

namespace Ouinet.Overlay.Tests.Simulation;

public class LayerTests
{
    private static void Echo(OverlayNode node, string name)
    {
        node.Register(name, "uni");
        node.BindInternal(name, flow => flow.Sink = m => flow.TrySend(m));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_line_of_three_converges_and_carries_a_reliable_flow_end_to_end()
    {
        await using var sim = SimOverlay.Create(3, SimOverlay.Line(3));
        Assert.True(sim.RunUntilConverged(TimeSpan.FromSeconds(30)), string.Join("\n", sim.Nodes.Select(n => string.Join(";", n.GetStatus()[1].Details))));
        Echo(sim.Nodes[2], "echo");
        sim.Time.RunFor(TimeSpan.FromSeconds(2));
        var flow = sim.Run(sim.Nodes[0].AllocAsync("echo", QosSpec.Data, TestContext.Current.CancellationToken));
        Assert.Equal("uni", flow.Layer);
        var got = new List<byte[]>();
        flow.Sink = got.Add;
        for (var i = 0; i < 100; i++)
        {
            lock (sim.Nodes[0].Context.Gate)
            {
                Assert.True(flow.TrySend([(byte)i, 1, 2, 3]));
            }
        }
        Assert.True(sim.Time.RunUntil(() => got.Count == 100, TimeSpan.FromSeconds(10)));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (byte)i), got.Select(m => m[0]));
    }

    /// <summary>
    /// The layer's settings (link-state timers among them) are the bootstrapping member's: enrolment hands them to
    /// every member that joins, whatever its own config says, so members never run different timers.
    /// </summary>
    [Fact(Timeout = 30_000)]
    public async Task Members_enrolled_with_default_timers_take_the_bootstrapping_members_and_reach_a_name()
    {
        await using var sim = SimOverlay.Create(4, SimOverlay.Line(4), tweak: (i, c) => i == 0 ? c : c with { Layer = new Ouinet.Overlay.Wire.LayerConfig("uni") });
        Assert.True(sim.RunUntilConverged(TimeSpan.FromSeconds(30)));
        for (var i = 1; i < 4; i++)
        {
            var layer = sim.Unicast(i).LayerConfig;
            Assert.Equal((100u, 2000u, 6000u, 30u), (layer.RecalcMilliseconds, layer.UpdateMilliseconds, layer.TimeoutMilliseconds, layer.DhtRefreshSeconds));
        }
        Echo(sim.Nodes[0], "echo");
        sim.Time.RunFor(TimeSpan.FromSeconds(2));
        var flow = sim.Run(sim.Nodes[3].AllocAsync("echo", QosSpec.Data, TestContext.Current.CancellationToken));
        var got = new List<byte[]>();
        flow.Sink = got.Add;
        lock (sim.Nodes[3].Context.Gate)
        {
            Assert.True(flow.TrySend([1, 2, 3]));
        }
        Assert.True(sim.Time.RunUntil(() => got.Count == 1, TimeSpan.FromSeconds(10)));
    }
}
