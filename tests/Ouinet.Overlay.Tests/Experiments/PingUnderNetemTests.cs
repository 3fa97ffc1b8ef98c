using System.Net;
using Ouinet.Overlay.Configuration;
using Ouinet.Overlay.Simulation;
using Ouinet.Overlay.Tests.Support;
using Ouinet.Overlay.Tools;

namespace Ouinet.Overlay.Tests.Experiments;

/// <summary>
/// Ouroboros' FRCP experiment (blog 2020-05-02): oping over a link with netem <c>loss 8% duplicate 3% reorder 10%
/// delay 1ms</c>, 20 pings 200 ms apart, per QoS cube. Published: raw 18/20 received (2 out of order), voice 17/20
/// (none out of order), data 20/20 (avg 40.9 ms, max 401 ms, from retransmissions). Here over the udp4 shim (the
/// analogue of their eth-dix layer), in simulated time; the figures are in bench/results/overlay.md.
/// </summary>
public class PingUnderNetemTests(ITestOutputHelper output)
{
    internal static readonly LinkProfile Netem = new()
    {
        Latency = TimeSpan.FromMilliseconds(1),
        Loss = 0.08,
        Duplicate = 0.03,
        Reorder = 0.10,
    };

    internal static string LastClientStats = "";

    internal static PingStatistics Run(string qos, int seed, int count = 20, double waitSeconds = 3)
    {
        var time = new SimulatedTime();
        var network = new VirtualNetwork(time, seed);
        var a = new IPEndPoint(IPAddress.Parse("127.2.0.1"), 3435);
        var b = new IPEndPoint(IPAddress.Parse("127.2.0.2"), 3435);
        network.SetLink(a, b, Netem);
        OverlayNode Node(IPEndPoint at, int n) => OverlayNode.Create(
            new IrmdConfig { Ipcps = [new IpcpConfig(IpcpType.Udp4, "udp") { Bootstrap = "udp", Endpoint = at, Directory = new Dictionary<string, IPEndPoint> { ["oping"] = b } }] },
            new OverlayNodeOptions { TimeProvider = time, Seed = (seed * 10) + n, PortFactory = network.Bind });
        var client = Node(a, 1);
        var server = Node(b, 2);
        client.StartAsync().GetAwaiter().GetResult();
        server.StartAsync().GetAwaiter().GetResult();
        server.Register("oping", "udp");
        SimApps.Echo(server, "oping");
        Assert.True(QosSpec.TryParseName(qos, out var spec));
        var flow = time.Run(client.AllocAsync("oping", spec, CancellationToken.None), TimeSpan.FromSeconds(20));
        var result = SimApps.Ping(time, client, flow, count, TimeSpan.FromMilliseconds(200), wait: TimeSpan.FromSeconds(waitSeconds));
        LastClientStats = flow.GetStatistics().ToText() + "--server--\n" + SimApps.LastEcho?.GetStatistics().ToText();
        return result;
    }

    [Fact]
    public void Raw_loses_pings_and_data_delivers_all_of_them_in_order()
    {
        var raw = Run("raw", seed: 3);
        var voice = Run("voice", seed: 3);
        var data = Run("data", seed: 3);
        foreach (var (name, s) in new[] { ("raw", raw), ("voice", voice), ("data", data) })
        {
            output.WriteLine($"{name}: {s.Received}/{s.Transmitted} received, {s.OutOfOrder} out of order, avg {s.Average:0.000} ms, max {s.Max:0.000} ms");
        }
        Assert.True(raw.Received < 20, "raw flows have no retransmission: some pings are lost");
        Assert.True(voice.Received < 20 && voice.OutOfOrder == 0, "voice is in order without retransmission");
        Assert.Equal(20, data.Received);
        Assert.Equal(0, data.OutOfOrder);
        Assert.True(data.Max > raw.Max, "data pays for its losses in retransmission time");
    }

    [Fact]
    public void Over_many_runs_each_cube_behaves_as_published()
    {
        // 10 runs of 20 pings per cube: the loss rate of raw matches 1-(0.92^2), data never loses.
        var lossRaw = Enumerable.Range(10, 10).Select(s => Run("raw", s)).Average(s => s.LossPercent);
        // oping waits for the last replies; a run whose first packet and its first retransmissions are all lost needs
        // FRCP's backed-off RTO (1, 2, 4, 8 s) to get through, so data runs wait up to 20 s.
        var dataRuns = Enumerable.Range(10, 10).Select(s => Run("data", s, waitSeconds: 20)).ToList();
        output.WriteLine($"raw mean loss {lossRaw:0.0}%; data: all {dataRuns.Sum(s => s.Received)}/{dataRuns.Sum(s => s.Transmitted)}, mean avg rtt {dataRuns.Average(s => s.Average):0.00} ms");
        Assert.InRange(lossRaw, 5, 30);
        // Never out of order; at most one run still waiting on a backed-off retransmission when the 20 s are up.
        Assert.All(dataRuns, s => Assert.Equal(0, s.OutOfOrder));
        Assert.True(dataRuns.Count(s => s.Received == 20) >= 9, string.Join(", ", dataRuns.Select(s => s.Received)));
    }
}
