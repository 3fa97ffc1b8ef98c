using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Ouinet.Dht.Engine;
using Ouinet.Dht.Messages;

namespace Ouinet.Dht.Simulation;

/// <summary>
/// An in-process network of DHT engines with no sockets and no threads: a discrete-event loop delivers datagrams
/// after the configured latency (losing some), and wakes engines when their timers are due. Simulated time only
/// moves between events, so thousands of nodes run minutes of DHT life in seconds, the same way every time.
/// Addresses are 127.x.y.z:6881: nothing here could reach a real network even by mistake.
/// </summary>
public sealed class VirtualNetwork
{
    private const int Port = 6881;

    private readonly PriorityQueue<Event, (long, long)> _events = new();
    private readonly Dictionary<IPEndPoint, SimNode> _nodes = [];
    private readonly DhtRandom _random;
    private readonly System.Random _chance;
    private readonly long _latencyMs;
    private readonly int _jitterMs;
    private readonly double _loss;
    private long _sequence;
    private int _nextAddress = 1;

    public VirtualNetwork(TimeSpan latency, TimeSpan jitter, double loss, int seed)
    {
        _latencyMs = (long)latency.TotalMilliseconds;
        _jitterMs = (int)jitter.TotalMilliseconds;
        _loss = loss;
        _random = DhtRandom.Seeded(seed);
#pragma warning disable CA5394 // Loss and jitter must be reproducible from the seed.
        _chance = new System.Random(seed ^ 0x5eed);
#pragma warning restore CA5394
    }

    internal SimulationClock Clock { get; } = new();

    public long NowMs => Clock.NowMs;

    public long Events { get; private set; }

    public long DatagramsSent { get; private set; }

    public long DatagramsLost { get; private set; }

    internal DhtRandom Random => _random;

    /// <summary>Creates a node at the next free address with a BEP 42 ID for it; it starts once <see cref="SimNode.Start"/> is called.</summary>
    internal SimNode AddNode(DhtOptions options)
    {
        var n = _nextAddress++;
        var address = new IPAddress(new byte[] { 127, (byte)(n >> 16), (byte)(n >> 8), (byte)n });
        var endPoint = new IPEndPoint(address, Port);
        Span<byte> bytes = stackalloc byte[NodeId.Size];
        _random.Fill(bytes);
        var id = Bep42.CreateId(address, bytes);
        var node = new SimNode(this, endPoint);
        var nodeOptions = options with { NodeId = id, LoopbackOnly = true, Bep42ForLocalAddresses = true, UseDefaultBootstrapRouters = false };
        node.Engine = new DhtEngine(nodeOptions, node, endPoint, Clock, DhtRandom.Seeded(_random.Next(int.MaxValue)), NullLogger.Instance);
        _nodes[endPoint] = node;
        return node;
    }

    /// <summary>Runs <paramref name="action"/> at simulated time <paramref name="atMs"/>.</summary>
    public void Schedule(long atMs, Action action) => Push(Math.Max(atMs, NowMs), new Event(EventKind.Action, null, action, null));

    /// <summary>Processes events in time order until none is left before <paramref name="untilMs"/>; the clock ends there.</summary>
    public void RunUntil(long untilMs)
    {
        while (_events.TryPeek(out _, out var key) && key.Item1 <= untilMs)
        {
            var e = _events.Dequeue();
            Clock.NowMs = key.Item1;
            Events++;
            switch (e.Kind)
            {
                case EventKind.Deliver:
                    var target = e.Node!;
                    if (target.Online)
                    {
                        var (data, from) = ((byte[], IPEndPoint))e.Payload!;
                        target.Engine.OnDatagram(data, from);
                    }
                    break;
                case EventKind.Wake:
                    var node = e.Node!;
                    if (node.Online && node.ScheduledWakeMs == key.Item1)
                    {
                        node.ScheduledWakeMs = long.MaxValue;
                        node.Engine.OnTimer();
                    }
                    break;
                default:
                    ((Action)e.Payload!)();
                    break;
            }
        }
        Clock.NowMs = Math.Max(Clock.NowMs, untilMs);
    }

    internal void Send(SimNode from, byte[] datagram, IPEndPoint to)
    {
        if (!from.Online)
        {
            return;
        }
        DatagramsSent++;
        from.DatagramsSent++;
#pragma warning disable CA5394
        if (_chance.NextDouble() < _loss || !_nodes.TryGetValue(to, out var target))
        {
            DatagramsLost++;
            return;
        }
        var delay = _latencyMs + (_jitterMs > 0 ? _chance.Next(_jitterMs) : 0);
#pragma warning restore CA5394
        Push(NowMs + delay, new Event(EventKind.Deliver, target, (datagram, from.EndPoint), null));
    }

    internal void Wake(SimNode node, long atMs)
    {
        if (atMs < node.ScheduledWakeMs)
        {
            node.ScheduledWakeMs = atMs;
            Push(atMs, new Event(EventKind.Wake, node, null, null));
        }
    }

    private void Push(long atMs, Event e) => _events.Enqueue(e, (atMs, _sequence++));

    private enum EventKind : byte
    {
        Deliver,
        Wake,
        Action,
    }

    private readonly record struct Event(EventKind Kind, SimNode? Node, object? Payload, object? Unused);
}

/// <summary>One simulated node: an engine and its address.</summary>
internal sealed class SimNode(VirtualNetwork network, IPEndPoint endPoint) : IDhtHost
{
    private readonly long _startMs = network.NowMs;

    public IPEndPoint EndPoint { get; } = endPoint;

    public DhtEngine Engine { get; set; } = null!;

    public bool Online { get; set; }

    public long JoinedMs { get; private set; }

    public long ScheduledWakeMs { get; set; } = long.MaxValue;

    public long DatagramsSent { get; set; }

    public NodeInfo Info => new(Engine.Id, EndPoint);

    public void Start(IEnumerable<IPEndPoint> bootstrap)
    {
        Online = true;
        JoinedMs = network.NowMs;
        Engine.Start([], bootstrap, []);
    }

    public void Send(byte[] datagram, IPEndPoint to) => network.Send(this, datagram, to);

    // Engine time counts from the engine's creation; the network's queue counts from the start of the run.
    public void RequestWake(long dueMs) => network.Wake(this, _startMs + dueMs);
}
