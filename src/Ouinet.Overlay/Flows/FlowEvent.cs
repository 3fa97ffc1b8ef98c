using System.Threading.Channels;

namespace Ouinet.Overlay;

/// <summary>Flow events, with <c>fqueue_type</c>'s values.</summary>
public enum FlowEventKind
{
    /// <summary>A message arrived (<c>FLOW_PKT</c>).</summary>
    Packet = 1,

    /// <summary>FRCP gave up retransmitting: the flow is down (<c>FLOW_DOWN</c>, <c>EFLOWDOWN</c>).</summary>
    Down = 2,

    /// <summary>The peer is heard from again after <see cref="Peer"/> (<c>FLOW_UP</c>).</summary>
    Up = 4,

    /// <summary>The flow was allocated (<c>FLOW_ALLOC</c>).</summary>
    Alloc = 8,

    /// <summary>The flow was deallocated locally (<c>FLOW_DEALLOC</c>).</summary>
    Dealloc = 16,

    /// <summary>Nothing heard from the peer for the QoS timeout (<c>FLOW_PEER</c>, <c>EFLOWPEER</c>).</summary>
    Peer = 32,
}

/// <summary>One event on one flow.</summary>
public readonly record struct FlowEvent(Flow Flow, FlowEventKind Kind);

/// <summary>
/// Ouroboros' <c>fset</c>/<c>fqueue</c>: a set of flows whose events are read as one asynchronous sequence.
/// </summary>
public sealed class FlowSet : IDisposable
{
    private readonly Channel<FlowEvent> _events = Channel.CreateBounded<FlowEvent>(new BoundedChannelOptions(4096)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
    });

    private readonly HashSet<Flow> _flows = [];
    private readonly Lock _lock = new();

    public void Add(Flow flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        lock (_lock)
        {
            if (_flows.Add(flow))
            {
                flow.AddListener(_events.Writer);
            }
        }
    }

    public bool Has(Flow flow)
    {
        lock (_lock)
        {
            return _flows.Contains(flow);
        }
    }

    public void Remove(Flow flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        lock (_lock)
        {
            if (_flows.Remove(flow))
            {
                flow.RemoveListener(_events.Writer);
            }
        }
    }

    /// <summary>Events of every flow in the set, as they happen (<c>fevent</c> + <c>fqueue_next</c>).</summary>
    public IAsyncEnumerable<FlowEvent> ReadAllAsync(CancellationToken cancellationToken = default) => _events.Reader.ReadAllAsync(cancellationToken);

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var flow in _flows)
            {
                flow.RemoveListener(_events.Writer);
            }
            _flows.Clear();
        }
        _events.Writer.TryComplete();
    }
}
