using System.Net;
using Ouinet.Overlay.Configuration;
using Ouinet.Overlay.Ipcp.Unicast;
using Ouinet.Overlay.Simulation;
using Ouinet.Overlay.Wire;

namespace Ouinet.Overlay.Tests.Support;

/// <summary>
/// N overlay nodes on a <see cref="VirtualNetwork"/> in simulated time: each has a udp4 shim (every other node's
/// unicast IPCP in its static directory) and a unicast IPCP "uni.i" in layer "uni"; node 0 bootstraps, the others
/// enrol through a neighbour and connect to the neighbours the topology gives them.
/// </summary>
internal sealed class SimOverlay : IAsyncDisposable
{
    public SimulatedTime Time { get; } = new();

    public VirtualNetwork Network { get; }

    public List<OverlayNode> Nodes { get; } = [];

    public List<IPEndPoint> Endpoints { get; } = [];

    private SimOverlay(int seed) => Network = new VirtualNetwork(Time, seed);

    public static LayerConfig FastLayer { get; } = new("uni")
    {
        RecalcMilliseconds = 100,
        UpdateMilliseconds = 2000,
        TimeoutMilliseconds = 6000,
        DhtRefreshSeconds = 30,
    };

    /// <summary>Builds and starts the nodes; <paramref name="links"/> are (a, b) with a &lt; b: b enrols through and connects to a.</summary>
    public static SimOverlay Create(int count, IEnumerable<(int A, int B)> links, int seed = 1, Func<int, IpcpConfig, IpcpConfig>? tweak = null, uint connTimeout = 1000, Func<SimulatedTime, TimeProvider>? nodeTime = null)
    {
        var sim = new SimOverlay(seed);
        var pairs = links.ToList();
        for (var i = 0; i < count; i++)
        {
            sim.Endpoints.Add(new IPEndPoint(new IPAddress([127, 1, 0, (byte)(i + 1)]), 3435));
        }
        var directory = Enumerable.Range(0, count).ToDictionary(i => $"uni.{i}", i => sim.Endpoints[i]);
        for (var i = 0; i < count; i++)
        {
            var me = i;
            var up = pairs.Where(p => p.B == me).Select(p => p.A).ToList();
            var udp = new IpcpConfig(IpcpType.Udp4, "udp")
            {
                Bootstrap = "udp",
                Endpoint = sim.Endpoints[i],
                Directory = directory,
                Register = [$"uni.{i}"],
            };
            var uni = new IpcpConfig(IpcpType.Unicast, $"uni.{i}")
            {
                Bootstrap = i == 0 ? "uni" : null,
                Enrol = i == 0 ? null : $"uni.{up.DefaultIfEmpty(0).Min()}",
                Connect = [.. up.Select(a => $"uni.{a}")],
                Layer = FastLayer,
                ConnTimeout = connTimeout,
            };
            if (tweak is not null)
            {
                uni = tweak(i, uni);
            }
            var config = new IrmdConfig { Ipcps = [udp, uni] };
            var node = OverlayNode.Create(config, new OverlayNodeOptions
            {
                TimeProvider = nodeTime?.Invoke(sim.Time) ?? sim.Time,
                Seed = seed * 1000 + i,
                PortFactory = sim.Network.Bind,
            });
            sim.Nodes.Add(node);
        }
        foreach (var node in sim.Nodes)
        {
            node.StartAsync().GetAwaiter().GetResult();
        }
        return sim;
    }

    public static IEnumerable<(int, int)> Line(int n) => Enumerable.Range(1, n - 1).Select(i => (i - 1, i));

    public static IEnumerable<(int, int)> Star(int n) => Enumerable.Range(1, n - 1).Select(i => (0, i));

    public static IEnumerable<(int, int)> Ring(int n) => Line(n).Append((0, n - 1));

    internal UnicastIpcp Unicast(int i) => (UnicastIpcp)Nodes[i].Ipcps.Single(p => p is UnicastIpcp);

    /// <summary>Runs until every node routes to every other (full convergence).</summary>
    public bool RunUntilConverged(TimeSpan limit) =>
        Time.RunUntil(() => Enumerable.Range(0, Nodes.Count).All(i =>
        {
            var u = Unicast(i);
            return u.Enrolled && u.Describe()["routes"].Split(',', StringSplitOptions.RemoveEmptyEntries).Length == Nodes.Count - 1;
        }), limit);

    public T Run<T>(Task<T> task, TimeSpan? limit = null) => Time.Run(task, limit ?? TimeSpan.FromSeconds(30));

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            var dispose = node.DisposeAsync().AsTask();
            Time.RunUntil(() => dispose.IsCompleted, TimeSpan.FromSeconds(200));
            await dispose;
        }
    }
}
