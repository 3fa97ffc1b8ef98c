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
}
