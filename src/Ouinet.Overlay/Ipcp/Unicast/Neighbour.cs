using Ouinet.Overlay.Node;

namespace Ouinet.Overlay.Ipcp.Unicast;

/// <summary>
/// A member this one has N-1 flows to: <c>dt</c> flows for forwarding (raw, with peer liveness) and <c>mgmt</c>
/// flows for LSAs (reliable). Outgoing DT packets go through one queue per QoS cube (VOICE first, then VIDEO, then
/// BE), drained at the configured rate; its length is what relays turn into ECN marks.
/// </summary>
internal sealed class Neighbour
{
    public const int QueueLimit = 1000;

    /// <summary>
    /// How far behind schedule the drain may catch up: a timer that fires late (real timers do, by a millisecond or
    /// more) sends what fell due meanwhile, so the rate is the configured one, not one packet per timer tick.
    /// </summary>
    internal static readonly TimeSpan CatchUp = TimeSpan.FromMilliseconds(5);
    private readonly Queue<byte[]>[] _queues = [new(), new(), new()];
    private readonly NodeContext _ctx;
    private readonly long _rate;
    private readonly NodeTimer _drain;
    private TimeSpan _nextFree;

    public Neighbour(NodeContext context, uint address, long rate)
    {
        _ctx = context;
        Address = address;
        _rate = rate;
        _drain = context.Timer(Drain);
    }

    public uint Address { get; }

    public List<Flow> Dt { get; } = [];

    public List<Flow> Mgmt { get; } = [];

    /// <summary>Packets waiting in the rate limiter.</summary>
    public int QueueLength { get; private set; }

    public long Dropped { get; private set; }

    public long Forwarded { get; private set; }

    public void Enqueue(byte[] packet, QosCube cube)
    {
        if (_rate <= 0)
        {
            Transmit(packet);
            return;
        }
        if (QueueLength >= QueueLimit)
        {
            Dropped++;
            return;
        }
        _queues[(int)cube].Enqueue(packet);
        QueueLength++;
        if (!_drain.Armed)
        {
            Drain();
        }
    }

    private void Drain()
    {
        var now = _ctx.Now;
        while (QueueLength > 0 && _nextFree <= now)
        {
            var packet = (_queues[(int)QosCube.Voice].Count > 0 ? _queues[(int)QosCube.Voice]
                : _queues[(int)QosCube.Video].Count > 0 ? _queues[(int)QosCube.Video] : _queues[(int)QosCube.BestEffort]).Dequeue();
            QueueLength--;
            Transmit(packet);
            // Scheduled from when this packet was due, not from now: from now, each late tick would send one packet.
            var start = _nextFree > now - CatchUp ? _nextFree : now - CatchUp;
            _nextFree = start + TimeSpan.FromSeconds(packet.Length * 8.0 / _rate);
        }
        if (QueueLength > 0)
        {
            _drain.Arm(_nextFree - now);
        }
    }

    private void Transmit(byte[] packet)
    {
        if (Dt.Count > 0 && Dt[0].TrySend(packet))
        {
            Forwarded++;
        }
        else
        {
            Dropped++;
        }
    }

    public void Clear()
    {
        foreach (var q in _queues)
        {
            q.Clear();
        }
        QueueLength = 0;
        _drain.Cancel();
    }

    public void Dispose() => _drain.Dispose();
}
