using System.Threading.Channels;
using Ouinet.Overlay.Node;

namespace Ouinet.Overlay;

/// <summary>
/// An allocated flow: Ouroboros' flow descriptor, with FRCP (when the QoS asks for in-order delivery) and peer liveness
/// running here, in the endpoint. Messages keep their boundaries: one <see cref="WriteAsync"/> is one message, read
/// back by <see cref="ReadAsync"/> (partial reads by default, as <c>flow_read</c>) or <see cref="ReadMessageAsync"/>.
/// <see cref="DisposeAsync"/> deallocates, lingering first until reliable data is acknowledged.
/// </summary>
public sealed partial class Flow : IAsyncDisposable
{
    /// <summary>Messages a writer may queue before <see cref="WriteAsync"/> waits.</summary>
    public const int TxQueueLimit = 512;

    private readonly NodeContext _ctx;
    private readonly IpcpFlow _lower;
    private readonly Queue<byte[]> _rx = new();
    private readonly Queue<byte[]> _tx = new();
    private readonly List<ChannelWriter<FlowEvent>> _listeners = [];
    private TaskCompletionSource<bool>? _readWaiter;
    private TaskCompletionSource<bool>? _writeWaiter;
    private TaskCompletionSource<bool>? _drained;
    private byte[]? _partial;
    private int _partialOffset;
    private bool _partialEnded;
    private FlowStateKind _state = FlowStateKind.Allocated;
    private bool _peerDead;
    private bool _closing;
    private int _disposed;

    internal Flow(NodeContext context, IpcpFlow lower, QosSpec qos, string name)
    {
        _ctx = context;
        _lower = lower;
        Qos = qos;
        Name = name;
        lower.Endpoint = this;
        InitFrcp();
    }

    /// <summary>The name the flow was allocated to (or, accepted, the local name it was for).</summary>
    public string Name { get; }

    /// <summary>The QoS granted.</summary>
    public QosSpec Qos { get; }

    /// <summary>The layer the flow runs over.</summary>
    public string Layer => _lower.LayerName;

    /// <summary>Largest message a write may carry.</summary>
    public int MaxMessageSize => _lower.MaxSdu - (Qos.InOrder ? Wire.FrcpHeader.Size : 0);

    /// <summary>Partial reads (default, <c>flow_read</c>'s convention) or whole messages only (<c>FLOWFRNOPART</c>: a short buffer is <see cref="OverlayError.MessageSize"/>).</summary>
    public bool PartialReads { get; set; } = true;

    /// <summary>How long <see cref="DisposeAsync"/> waits for unacknowledged data (FRCP's R, 120 s).</summary>
    public TimeSpan LingerTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Internal users (IPCPs over their N-1 flows, simulations) take messages synchronously, under the node's lock.</summary>
    internal Action<byte[]>? Sink { get; set; }

    internal Action<FlowEventKind>? EventSink { get; set; }

    /// <summary>The IRMd's bookkeeping: called once when the flow is deallocated.</summary>
    internal Action? Deallocated { get; set; }

    internal IpcpFlow Lower => _lower;

    /// <summary>The node, which awaits a background dealloc on shutdown.</summary>
    internal Action<Task>? Owner { get; set; }

    public bool IsPeerAlive
    {
        get
        {
            lock (_ctx.Gate)
            {
                return !_peerDead;
            }
        }
    }

    /// <summary>
    /// Reads a message into <paramref name="buffer"/>. A message longer than the buffer is read in parts: the buffer
    /// fills, the next reads continue it, and a read of 0 ends it (as <c>flow_read</c>); with
    /// <see cref="PartialReads"/> off such a message fails with <see cref="OverlayError.MessageSize"/>.
    /// </summary>
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task wait;
            lock (_ctx.Gate)
            {
                if (_partial is not null)
                {
                    if (_partialEnded)
                    {
                        _partial = null;
                        _partialEnded = false;
                        return 0;
                    }
                    var n = Math.Min(buffer.Length, _partial.Length - _partialOffset);
                    _partial.AsSpan(_partialOffset, n).CopyTo(buffer.Span);
                    _partialOffset += n;
                    if (_partialOffset == _partial.Length)
                    {
                        // A message that ends exactly at a full buffer needs the 0-read that ends it.
                        if (n == buffer.Length && n > 0)
                        {
                            _partialEnded = true;
                        }
                        else
                        {
                            _partial = null;
                        }
                    }
                    return n;
                }
                if (_rx.TryPeek(out var message))
                {
                    if (message.Length > buffer.Length && !PartialReads)
                    {
                        throw new FlowException(OverlayError.MessageSize, $"a {message.Length}-byte message does not fit {buffer.Length} bytes");
                    }
                    _rx.Dequeue();
                    OnAppRead();
                    if (message.Length < buffer.Length || (message.Length == buffer.Length && !PartialReads))
                    {
                        message.CopyTo(buffer.Span);
                        return message.Length;
                    }
                    _partial = message;
                    _partialOffset = 0;
                    continue;
                }
                ThrowIfUnusable(reading: true);
                wait = (_readWaiter ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads one whole message.</summary>
    public async ValueTask<byte[]> ReadMessageAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task wait;
            lock (_ctx.Gate)
            {
                if (_partial is not null)
                {
                    throw new InvalidOperationException("A partially read message is pending; finish it with ReadAsync.");
                }
                if (_rx.TryDequeue(out var message))
                {
                    OnAppRead();
                    return message;
                }
                ThrowIfUnusable(reading: true);
                wait = (_readWaiter ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes one message (never partially). Waits while <see cref="TxQueueLimit"/> messages are queued.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        if (message.Length > MaxMessageSize)
        {
            throw new FlowException(OverlayError.MessageSize, $"a {message.Length}-byte message is larger than the flow's {MaxMessageSize}");
        }
        var copy = message.ToArray();
        while (true)
        {
            Task wait;
            lock (_ctx.Gate)
            {
                ThrowIfUnusable(reading: false);
                if (_tx.Count < TxQueueLimit)
                {
                    _tx.Enqueue(copy);
                    Pump();
                    return;
                }
                wait = (_writeWaiter ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Under the node's lock: queues a message unless the queue is full (internal users, no waiting).</summary>
    internal bool TrySend(byte[] message)
    {
        if (_state != FlowStateKind.Allocated || _closing || _tx.Count >= TxQueueLimit || message.Length > MaxMessageSize)
        {
            return false;
        }
        _tx.Enqueue(message);
        Pump();
        return true;
    }

    /// <summary>This flow's events until it is deallocated or <paramref name="cancellationToken"/> fires.</summary>
    public async IAsyncEnumerable<FlowEvent> EventsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateBounded<FlowEvent>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest });
        AddListener(channel.Writer);
        try
        {
            await foreach (var e in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return e;
            }
        }
        finally
        {
            RemoveListener(channel.Writer);
        }
    }

    internal void AddListener(ChannelWriter<FlowEvent> writer)
    {
        lock (_ctx.Gate)
        {
            if (_state == FlowStateKind.Deallocated)
            {
                writer.TryWrite(new FlowEvent(this, FlowEventKind.Dealloc));
                return;
            }
            _listeners.Add(writer);
        }
    }

    internal void RemoveListener(ChannelWriter<FlowEvent> writer)
    {
        lock (_ctx.Gate)
        {
            _listeners.Remove(writer);
        }
    }

    private void Raise(FlowEventKind kind)
    {
        EventSink?.Invoke(kind);
        foreach (var l in _listeners)
        {
            l.TryWrite(new FlowEvent(this, kind));
        }
    }

    /// <summary>A stream over this flow (our framing: one data or end-of-stream byte before each message).</summary>
    public Stream AsStream(bool ownsFlow = true) => new FlowStream(this, ownsFlow);

    /// <summary>Deallocates: lingers until unacknowledged data is acknowledged (reliable flows), then frees the flow.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        Task? linger = null;
        lock (_ctx.Gate)
        {
            _closing = true;
            if (_state == FlowStateKind.Allocated && !_peerDead && Qos.IsReliable && !IsDrained)
            {
                linger = (_drained = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
        }
        if (linger is not null)
        {
            try
            {
                await linger.WaitAsync(LingerTimeout, _ctx.Time).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }
        lock (_ctx.Gate)
        {
            DeallocateGracefully();
        }
    }

    /// <summary>Under the lock: the application's dealloc after its linger (a reliable flow stays half-deallocated for a while).</summary>
    internal void DeallocateGracefully() => Deallocate(halfOpen: true);

    internal bool IsDrainedForTest => IsDrained;

    /// <summary>
    /// Deallocates as <see cref="DisposeAsync"/> does, but returns at once and lingers in the background, owned by the
    /// node (TCP's <c>close()</c> rather than <c>flow_dealloc</c>): a caller is never held up to R by a peer that went away.
    /// </summary>
    public void DisposeInBackground()
    {
        var dispose = DisposeAsync().AsTask();
        if (!dispose.IsCompleted)
        {
            if (Owner is { } owner)
            {
                owner(dispose);
            }
            else
            {
                dispose.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Under the lock: frees the flow now, without lingering.</summary>
    internal void Deallocate() => Deallocate(halfOpen: false);

    /// <summary>
    /// Under the lock: the flow is gone for the application. With <paramref name="halfOpen"/> (the application's own
    /// dealloc), a reliable flow's receiver stays half-deallocated for <see cref="TimeWait"/>: it acknowledges what the
    /// peer still sends (and discards it), so a peer lingering on its last messages is not left waiting for R.
    /// </summary>
    private void Deallocate(bool halfOpen)
    {
        if (_state == FlowStateKind.Deallocated)
        {
            if (!halfOpen && _halfDeallocated)
            {
                Release();
            }
            return;
        }
        var wasAllocated = _state == FlowStateKind.Allocated;
        _state = FlowStateKind.Deallocated;
        _closing = true;
        _rx.Clear();
        _partial = null;
        Raise(FlowEventKind.Dealloc);
        Deallocated?.Invoke();
        foreach (var l in _listeners)
        {
            l.TryComplete();
        }
        _listeners.Clear();
        WakeAll();
        var keepAcking = halfOpen && wasAllocated && !_peerDead && Qos.IsReliable && !_ctx.Stopped;
        if (keepAcking)
        {
            EnterHalfDeallocated();
        }
        if (wasAllocated && _ackTimer.Armed)
        {
            // The delayed acknowledgement goes now: the peer may be lingering on it.
            _ackTimer.Cancel();
            Transmit(Packet(Wire.FrcpFlags.None, _sndNext, []));
        }
        if (!keepAcking)
        {
            Release();
        }
    }

    private void ThrowIfUnusable(bool reading)
    {
        switch (_state)
        {
            case FlowStateKind.Deallocated:
                throw new FlowException(OverlayError.NotAllocated, "the flow is deallocated");
            case FlowStateKind.Down:
                throw new FlowException(OverlayError.FlowDown, "FRCP gave up: the flow is down");
        }
        if (_peerDead)
        {
            throw new FlowException(OverlayError.FlowPeer, $"nothing heard from the peer for {Qos.Timeout} ms");
        }
        if (!reading && _closing)
        {
            throw new FlowException(OverlayError.NotAllocated, "the flow is being deallocated");
        }
    }

    private void Deliver(byte[] message)
    {
        if (_state != FlowStateKind.Allocated)
        {
            // Half-deallocated: acknowledged, not delivered.
            return;
        }
        _stats.ReceivedPackets++;
        _stats.ReceivedBytes += message.Length;
        if (Sink is { } sink)
        {
            sink(message);
        }
        else
        {
            _rx.Enqueue(message);
            WakeReader();
        }
        if (_listeners.Count > 0 || EventSink is not null)
        {
            Raise(FlowEventKind.Packet);
        }
    }

    private void WakeReader()
    {
        var w = _readWaiter;
        _readWaiter = null;
        w?.TrySetResult(true);
    }

    private void WakeWriter()
    {
        if (_tx.Count < TxQueueLimit)
        {
            var w = _writeWaiter;
            _writeWaiter = null;
            w?.TrySetResult(true);
        }
        if (_drained is not null && IsDrained)
        {
            _drained.TrySetResult(true);
        }
    }

    private void WakeAll()
    {
        WakeReader();
        var w = _writeWaiter;
        _writeWaiter = null;
        w?.TrySetResult(true);
        _drained?.TrySetResult(true);
    }

    /// <summary>A statistics snapshot.</summary>
    public FlowStatistics GetStatistics()
    {
        lock (_ctx.Gate)
        {
            var layer = new Dictionary<string, string>();
            _lower.Describe(layer);
            return new FlowStatistics
            {
                Name = Name,
                Layer = Layer,
                Qos = Qos.ToString(),
                State = _state == FlowStateKind.Allocated ? _peerDead ? "peer" : "allocated" : _halfDeallocated ? "half-deallocated" : _state.ToString().ToLowerInvariant(),
                SentPackets = _stats.SentPackets,
                SentBytes = _stats.SentBytes,
                ReceivedPackets = _stats.ReceivedPackets,
                ReceivedBytes = _stats.ReceivedBytes,
                Retransmissions = _stats.Retransmissions,
                Duplicates = _stats.Duplicates,
                OutOfOrderDropped = _stats.OutOfOrder,
                OutOfWindowDropped = _stats.OutOfWindow,
                KeepalivesSent = _stats.Keepalives,
                Srtt = _srtt,
                Rttvar = _mdev,
                Rto = _rto,
                SendWindow = Qos.InOrder ? _sndRwe - _sndNext : 0,
                ReceiveWindow = Qos.InOrder ? RcvRwe - _rcvLwe : 0,
                CongestionWindow = _cc?.Window ?? 0,
                RxQueue = _rx.Count,
                TxQueue = _tx.Count,
                LayerInfo = layer,
            };
        }
    }

    public override string ToString() => $"flow to {Name} over {Layer} ({Qos})";

    private enum FlowStateKind
    {
        Allocated,
        Down,
        Deallocated,
    }

    private struct Counters
    {
        public long SentPackets;
        public long SentBytes;
        public long ReceivedPackets;
        public long ReceivedBytes;
        public long Retransmissions;
        public long Duplicates;
        public long OutOfOrder;
        public long OutOfWindow;
        public long Keepalives;
    }
}
