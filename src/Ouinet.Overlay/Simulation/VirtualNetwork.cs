using System.Net;
using Ouinet.Net;

namespace Ouinet.Overlay.Simulation;

/// <summary>
/// How a virtual link treats datagrams, in <c>tc netem</c> terms: delay (plus uniform jitter), loss, duplication,
/// reordering (a reordered datagram skips the delay, as netem's <c>reorder</c>), and a rate limit with a bounded queue.
/// </summary>
public sealed record LinkProfile
{
    public static LinkProfile Perfect { get; } = new();

    public TimeSpan Latency { get; init; } = TimeSpan.FromMilliseconds(0.05);

    public TimeSpan Jitter { get; init; }

    public double Loss { get; init; }

    public double Duplicate { get; init; }

    public double Reorder { get; init; }

    /// <summary>Bit/s; 0 for unlimited.</summary>
    public long Rate { get; init; }

    /// <summary>Longest the rate limiter may queue before it drops (tail drop).</summary>
    public TimeSpan QueueLimit { get; init; } = TimeSpan.FromMilliseconds(100);
}

/// <summary>
/// An in-memory datagram network for tests and experiments. Ports bind to endpoints; each send goes through the
/// profile of its (source, destination) link and is delivered by a timer of the network's <see cref="TimeProvider"/>
/// (a <see cref="SimulatedTime"/> for simulated runs, the system clock for real-time in-memory runs).
/// </summary>
public sealed class VirtualNetwork(TimeProvider time, int seed = 1)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<IPEndPoint, Port> _ports = [];
    private readonly Dictionary<(IPEndPoint, IPEndPoint), LinkProfile> _links = [];
    private readonly Dictionary<(IPEndPoint, IPEndPoint), long> _busyUntil = [];
    private readonly Random _random = new(seed);
    private int _nextHost = 1;

    public TimeProvider Time { get; } = time;

    public LinkProfile DefaultProfile { get; set; } = LinkProfile.Perfect;

    public long Sent { get; private set; }

    public long Delivered { get; private set; }

    public long Dropped { get; private set; }

    /// <summary>A port on a fresh loopback-style address (127.1.x.y:3435).</summary>
    public IDatagramPort Bind()
    {
        int host;
        lock (_lock)
        {
            host = _nextHost++;
        }
        return Bind(new IPEndPoint(new IPAddress([127, 1, (byte)(host >> 8), (byte)host]), 3435));
    }

    public IDatagramPort Bind(IPEndPoint endpoint)
    {
        lock (_lock)
        {
            if (_ports.ContainsKey(endpoint))
            {
                throw new InvalidOperationException($"{endpoint} is already bound.");
            }
            var port = new Port(this, endpoint);
            _ports[endpoint] = port;
            return port;
        }
    }

    /// <summary>Sets the profile of the link from <paramref name="from"/> to <paramref name="to"/> (and back, when <paramref name="both"/>).</summary>
    public void SetLink(IPEndPoint from, IPEndPoint to, LinkProfile profile, bool both = true)
    {
        lock (_lock)
        {
            _links[(from, to)] = profile;
            if (both)
            {
                _links[(to, from)] = profile;
            }
        }
    }

    /// <summary>Cuts a node off: its port stops sending and receiving (a killed process, a pulled cable).</summary>
    public void Isolate(IPEndPoint endpoint)
    {
        lock (_lock)
        {
            if (_ports.TryGetValue(endpoint, out var port))
            {
                port.Isolated = true;
            }
        }
    }

    private void Send(Port from, ReadOnlySpan<byte> datagram, IPEndPoint to)
    {
        var copy = datagram.ToArray();
        var deliveries = new List<TimeSpan>(2);
        lock (_lock)
        {
            Sent++;
            if (from.Isolated)
            {
                Dropped++;
                return;
            }
            var profile = _links.GetValueOrDefault((from.LocalEndPoint, to)) ?? DefaultProfile;
            if (profile.Loss > 0 && _random.NextDouble() < profile.Loss)
            {
                Dropped++;
                return;
            }
            var now = Time.GetTimestamp();
            var wait = TimeSpan.Zero;
            if (profile.Rate > 0)
            {
                // A serializing link: each datagram leaves when the previous one has, tail-dropped past the queue limit.
                var freq = Time.TimestampFrequency;
                var start = Math.Max(now, _busyUntil.GetValueOrDefault((from.LocalEndPoint, to)));
                if (start - now > profile.QueueLimit.TotalSeconds * freq)
                {
                    Dropped++;
                    return;
                }
                var done = start + (long)(copy.Length * 8.0 / profile.Rate * freq);
                _busyUntil[(from.LocalEndPoint, to)] = done;
                wait = TimeSpan.FromSeconds((done - now) / (double)freq);
            }
            var delay = profile.Latency + (profile.Jitter > TimeSpan.Zero ? profile.Jitter * _random.NextDouble() : TimeSpan.Zero);
            if (profile.Reorder > 0 && _random.NextDouble() < profile.Reorder)
            {
                delay = TimeSpan.Zero;
            }
            deliveries.Add(wait + delay);
            if (profile.Duplicate > 0 && _random.NextDouble() < profile.Duplicate)
            {
                deliveries.Add(wait + delay);
            }
        }
        foreach (var after in deliveries)
        {
            ITimer? timer = null;
            timer = Time.CreateTimer(_ =>
            {
                timer?.Dispose();
                Deliver(from.LocalEndPoint, to, copy);
            }, null, after, Timeout.InfiniteTimeSpan);
        }
    }

    private void Deliver(IPEndPoint from, IPEndPoint to, byte[] datagram)
    {
        Port? port;
        lock (_lock)
        {
            if (!_ports.TryGetValue(to, out port) || port.Isolated || port.Handler is null)
            {
                Dropped++;
                return;
            }
            Delivered++;
        }
        port.Handler(datagram, from);
    }

    private void Unbind(Port port)
    {
        lock (_lock)
        {
            if (_ports.TryGetValue(port.LocalEndPoint, out var bound) && bound == port)
            {
                _ports.Remove(port.LocalEndPoint);
            }
        }
    }

    private sealed class Port(VirtualNetwork network, IPEndPoint endpoint) : IDatagramPort
    {
        public IPEndPoint LocalEndPoint { get; } = endpoint;

        public DatagramHandler? Handler { get; private set; }

        public bool Isolated { get; set; }

        public void Start(DatagramHandler handler) => Handler = handler;

        public void Send(ReadOnlySpan<byte> datagram, IPEndPoint remote) => network.Send(this, datagram, remote);

        public ValueTask DisposeAsync()
        {
            network.Unbind(this);
            return ValueTask.CompletedTask;
        }
    }
}
