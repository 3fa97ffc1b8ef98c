using Ouinet.Overlay.Node;
using Ouinet.Overlay.Wire;

namespace Ouinet.Overlay;

/// <summary>
/// FRCP, the Flow and Retransmission Control Protocol, in the flow endpoint (Delta-t: no handshake; a run starts at a
/// random sequence number with DRF). Raw flows carry no header. Reliable flows (<c>loss == 0</c>) keep what they sent
/// until it is acknowledged and retransmit on a Linux-style RTO; in-order flows without retransmission deliver what
/// arrives in order and drop what comes late. The receiver acknowledges cumulatively after a short delay (or on the
/// next data it sends) and advertises the right edge of its window; a sender facing a closed window sends rendezvous
/// packets. Keepalives go out after timeout/4 of silence; nothing heard for the timeout raises FLOW_PEER.
/// </summary>
public sealed partial class Flow
{
    internal const int ReorderQueueSize = 256;
    internal const uint StartWindow = 64;
    internal static readonly TimeSpan AckDelay = TimeSpan.FromMilliseconds(10);
    internal static readonly TimeSpan RtoMin = TimeSpan.FromMicroseconds(250);
    internal static readonly TimeSpan RtoInitial = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan RtoMax = TimeSpan.FromSeconds(60);
    internal static readonly TimeSpan RendezvousInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Delta-t's A: longest a receiver may hold an acknowledgement.</summary>
    internal static readonly TimeSpan DeltaA = TimeSpan.FromSeconds(10);

    /// <summary>Delta-t's R: longest a sender keeps retransmitting one packet before the flow is down.</summary>
    internal static readonly TimeSpan DeltaR = TimeSpan.FromSeconds(120);

    private readonly Unacked?[] _ring = new Unacked?[ReorderQueueSize];
    private readonly byte[]?[] _rq = new byte[ReorderQueueSize][];
    private Counters _stats;
    private DelayLossController? _cc;
    private NodeTimer _rtxTimer = null!;
    private NodeTimer _ackTimer = null!;
    private NodeTimer _rdvTimer = null!;
    private NodeTimer _pumpTimer = null!;
    private NodeTimer? _keepalive;
    private NodeTimer? _releaseTimer;
    private bool _halfDeallocated;
    private bool _released;
    private uint _frozenRwe;

    private uint _sndNext;
    private uint _sndLwe;
    private uint _sndRwe;
    private bool _sndRunStart = true;
    private TimeSpan _sndLastAct;
    private bool _probeActive;
    private bool _runAcked;
    private TimeSpan? _runStartResentAt;
    private TimeSpan _lastProgress;
    private int _dupAcks;
    private uint _lastWindow24;
    private bool _inRecovery;
    private uint _recover;
    private uint _probeSeq;
    private TimeSpan _probeTime;
    private bool _haveRtt;
    private TimeSpan _srtt;
    private TimeSpan _mdev;
    private TimeSpan _rto = RtoInitial;

    private bool _rcvHasState;
    private uint _rcvLwe;
    private TimeSpan _rcvLastAct;
    private uint _rcvAdvertised;

    private TimeSpan _lastSend;
    private TimeSpan _lastRecv;

    private TimeSpan SenderInactivity => (3 * _lower.Mpl) + DeltaA + DeltaR;

    private TimeSpan ReceiverInactivity => (2 * _lower.Mpl) + DeltaA + DeltaR;

    private uint RcvRwe => _halfDeallocated
        ? Before(_frozenRwe, _rcvLwe) ? _rcvLwe : _frozenRwe
        : _rcvLwe + (uint)Math.Max(0, ReorderQueueSize - _rx.Count);

    /// <summary>How long a deallocated reliable flow keeps acknowledging: enough for the peer's retransmissions of its last messages.</summary>
    private TimeSpan TimeWait => TimeSpan.FromTicks(Math.Clamp(Math.Max(2 * _lower.Mpl.Ticks, 4 * _rto.Ticks), TimeSpan.TicksPerSecond, DeltaA.Ticks));

    private bool IsDrained => _tx.Count == 0 && (!Qos.IsReliable || _sndLwe == _sndNext);

    private void InitFrcp()
    {
        _rtxTimer = _ctx.Timer(OnRtxTimer);
        _ackTimer = _ctx.Timer(SendControl);
        _rdvTimer = _ctx.Timer(OnRendezvousTimer);
        _pumpTimer = _ctx.Timer(Pump);
        _lastSend = _lastRecv = _sndLastAct = _ctx.Now;
        NewRun();
        if (Qos.IsReliable && _lower.IsShim && !_lower.HasCongestionAvoidance)
        {
            _cc = new DelayLossController();
        }
        if (Qos.Timeout > 0)
        {
            _keepalive = _ctx.Timer(OnKeepalive);
            _keepalive.Arm(KeepaliveInterval);
        }
    }

    private TimeSpan KeepaliveInterval => TimeSpan.FromMilliseconds(Math.Max(1, Qos.Timeout / 4));

    private void StopFrcp()
    {
        _releaseTimer?.Dispose();
        _rtxTimer.Dispose();
        _ackTimer.Dispose();
        _rdvTimer.Dispose();
        _pumpTimer.Dispose();
        _keepalive?.Dispose();
        Array.Clear(_ring);
        Array.Clear(_rq);
    }

    private void NewRun()
    {
        _sndNext = _sndLwe = _ctx.RandomUInt32();
        _sndRwe = _sndNext + StartWindow;
        _sndRunStart = true;
        _probeActive = false;
        _runAcked = false;
        _runStartResentAt = null;
        _inRecovery = false;
        _dupAcks = 0;
    }

    private static bool Before(uint a, uint b) => (int)(a - b) < 0;

    /// <summary>Under the lock: an SDU from the layer.</summary>
    internal void OnSdu(ReadOnlySpan<byte> sdu)
    {
        if (_state != FlowStateKind.Allocated)
        {
            if (_halfDeallocated)
            {
                OnSduHalfDeallocated(sdu);
            }
            return;
        }
        _lastRecv = _ctx.Now;
        if (_peerDead)
        {
            _peerDead = false;
            Raise(FlowEventKind.Up);
        }
        if (sdu.Length == 0)
        {
            return;
        }
        if (!Qos.InOrder)
        {
            Deliver(sdu.ToArray());
            return;
        }
        FrcpHeader header;
        try
        {
            header = FrcpHeader.Parse(sdu);
        }
        catch (OverlayFormatException e)
        {
            Log.Malformed(_ctx.Logger, "FRCP packet", e.Message);
            return;
        }
        if ((header.Flags & FrcpFlags.Ack) != 0)
        {
            // A duplicate ACK: header only, nothing new acknowledged, the same window, data outstanding.
            var duplicate = (header.Flags & (FrcpFlags.Data | FrcpFlags.Rendezvous)) == 0 && header.AckNo == _sndLwe && _sndLwe != _sndNext
                && ((header.Flags & FrcpFlags.FlowControl) == 0 || header.Window == _lastWindow24);
            OnAck(header.AckNo, duplicate);
        }
        if ((header.Flags & FrcpFlags.FlowControl) != 0)
        {
            _lastWindow24 = header.Window;
            OnWindow(header.Window);
        }
        if ((header.Flags & FrcpFlags.Data) != 0)
        {
            OnData(header, sdu[FrcpHeader.Size..]);
        }
        if ((header.Flags & FrcpFlags.Rendezvous) != 0)
        {
            SendControl();
        }
        Pump();
    }

    /// <summary>
    /// Under the lock: the application deallocated; the receiver stays for <see cref="TimeWait"/> (our deviation, as
    /// TCP's TIME-WAIT): data the peer still sends within the window it was given is acknowledged and discarded,
    /// the window does not open further, and nothing is sent but acknowledgements.
    /// </summary>
    private void EnterHalfDeallocated()
    {
        _frozenRwe = _rcvAdvertised - _rcvLwe <= ReorderQueueSize ? _rcvAdvertised : _rcvLwe;
        _halfDeallocated = true;
        _rtxTimer.Cancel();
        _rdvTimer.Cancel();
        _pumpTimer.Cancel();
        _keepalive?.Cancel();
        Array.Clear(_ring);
        _releaseTimer = _ctx.Timer(Release);
        _releaseTimer.Arm(TimeWait);
    }

    private void OnSduHalfDeallocated(ReadOnlySpan<byte> sdu)
    {
        if (sdu.Length == 0 || !Qos.InOrder)
        {
            return;
        }
        FrcpHeader header;
        try
        {
            header = FrcpHeader.Parse(sdu);
        }
        catch (OverlayFormatException)
        {
            return;
        }
        if ((header.Flags & FrcpFlags.Data) != 0 && !Before(header.SeqNo, RcvRwe))
        {
            // Beyond the frozen window: the peer should not have sent it; say where the window ends.
            SendControl();
            return;
        }
        if ((header.Flags & FrcpFlags.Data) != 0)
        {
            OnData(header, sdu[FrcpHeader.Size..]);
        }
        if ((header.Flags & FrcpFlags.Rendezvous) != 0)
        {
            SendControl();
        }
    }

    /// <summary>Under the lock: the end of a half-deallocated flow (or of any flow): frees FRCP's state and the layer's.</summary>
    private void Release()
    {
        if (_released)
        {
            return;
        }
        _released = true;
        _halfDeallocated = false;
        StopFrcp();
        _lower.Deallocate();
    }

    private void OnData(FrcpHeader header, ReadOnlySpan<byte> payload)
    {
        var now = _ctx.Now;
        var seq = header.SeqNo;
        var drf = (header.Flags & FrcpFlags.DataRun) != 0;
        if (_rcvHasState && now - _rcvLastAct > ReceiverInactivity)
        {
            _rcvHasState = false;
        }
        if (!_rcvHasState || (drf && seq != _rcvLwe && !IsRecent(seq)))
        {
            if (!drf && Qos.IsReliable)
            {
                // Delta-t: without state, only the start of a run is accepted.
                _stats.OutOfWindow++;
                return;
            }
            // (Our deviation: a flow without retransmission starts at the first packet it sees, even without DRF,
            // or the loss of a run's first packet would silence the whole run. Nothing older will be resent, and
            // what comes late is dropped below as before the window.)
            _rcvHasState = true;
            _rcvLwe = seq;
            Array.Clear(_rq);
        }
        _rcvLastAct = now;
        if (Before(seq, _rcvLwe))
        {
            if (Qos.IsReliable)
            {
                _stats.Duplicates++;
                ScheduleAck();
            }
            else
            {
                _stats.OutOfOrder++;
            }
            return;
        }
        if (seq - _rcvLwe >= ReorderQueueSize)
        {
            _stats.OutOfWindow++;
            return;
        }
        if (!Qos.IsReliable)
        {
            Deliver(payload.ToArray());
            _rcvLwe = seq + 1;
            ScheduleAck();
            return;
        }
        var slot = (int)(seq % ReorderQueueSize);
        if (_rq[slot] is not null)
        {
            _stats.Duplicates++;
            return;
        }
        _rq[slot] = payload.ToArray();
        var before = _rcvLwe;
        while (_rq[(int)(_rcvLwe % ReorderQueueSize)] is { } next)
        {
            _rq[(int)(_rcvLwe % ReorderQueueSize)] = null;
            _rcvLwe++;
            Deliver(next);
        }
        if (seq != before || _rcvLwe - before > 1)
        {
            // Out of order (a gap: the sender learns of it from the duplicate ACKs) or a gap just filled: ACK at once.
            SendControl();
            return;
        }
        ScheduleAck();
    }

    /// <summary>A sequence number in the half space just before the window: an old packet, not a new run.</summary>
    private bool IsRecent(uint seq) => Before(seq, _rcvLwe + ReorderQueueSize) && !Before(seq, _rcvLwe - 0x80000000u);

    private void OnAck(uint ackNo, bool duplicate)
    {
        if (duplicate && Qos.IsReliable)
        {
            OnDuplicateAck();
            return;
        }
        if (!Before(_sndLwe, ackNo) || Before(_sndNext, ackNo))
        {
            return;
        }
        var now = _ctx.Now;
        var acked = (int)(ackNo - _sndLwe);
        TimeSpan? sample = null;
        if (Qos.IsReliable)
        {
            for (var s = _sndLwe; s != ackNo; s++)
            {
                _ring[(int)(s % ReorderQueueSize)] = null;
            }
            if (_probeActive && Before(_probeSeq, ackNo))
            {
                _probeActive = false;
                sample = now - _probeTime;
                UpdateRtt(sample.Value);
            }
        }
        _sndLwe = ackNo;
        var runStartWasResent = !_runAcked && _runStartResentAt is not null;
        _runAcked = true;
        _lastProgress = now;
        _dupAcks = 0;
        if (Qos.IsReliable && sample is null)
        {
            // New data acknowledged: undo the timeout backoff, as Linux does (Karn keeps the sample out, not the backoff).
            _rto = _haveRtt ? EstimatedRto : RtoInitial;
        }
        _cc?.OnAck(acked, sample, now, _srtt);
        if (_sndLwe == _sndNext)
        {
            _inRecovery = false;
            _rtxTimer.Cancel();
        }
        else if (Qos.IsReliable)
        {
            if (runStartWasResent)
            {
                ResendDroppedByReceiverWithoutState(_runStartResentAt!.Value, now);
            }
            else if (_inRecovery && Before(_sndLwe, _recover))
            {
                // A partial ACK in recovery: the next hole is lost too (NewReno); resend it now.
                RetransmitOldest(now);
            }
            else
            {
                _inRecovery = false;
            }
            _rtxTimer.Arm(_rto);
        }
        WakeWriter();
    }

    /// <summary>Three duplicate ACKs: the oldest unacknowledged packet is lost; resend it without waiting for the RTO (fast retransmit).</summary>
    private void OnDuplicateAck()
    {
        _probeActive = false;
        if (++_dupAcks != 3 || _inRecovery)
        {
            return;
        }
        var now = _ctx.Now;
        _inRecovery = true;
        _recover = _sndNext;
        RetransmitOldest(now);
        _cc?.OnLoss(now, _srtt);
    }

    /// <summary>
    /// The first ACK of a run whose start had to be resent: the receiver had no state until that resend arrived, so it
    /// dropped every packet sent before it; resend those at once (go-back-N, at most the start window) rather than one
    /// per partial ACK. Their resends fill the holes, so recovery ends here. Our deviation.
    /// </summary>
    private void ResendDroppedByReceiverWithoutState(TimeSpan runStartResentAt, TimeSpan now)
    {
        _probeActive = false;
        for (var s = _sndLwe; s != _sndNext; s++)
        {
            if (_ring[(int)(s % ReorderQueueSize)] is { } u && u.LastSent <= runStartResentAt)
            {
                u.LastSent = now;
                _stats.Retransmissions++;
                Transmit(Packet(FrcpFlags.Data, s, u.Payload));
            }
        }
        _inRecovery = false;
    }

    /// <summary>Resends the oldest unacknowledged packet (a run's first keeps its DRF: a receiver without state accepts nothing else).</summary>
    private bool RetransmitOldest(TimeSpan now)
    {
        if (_ring[(int)(_sndLwe % ReorderQueueSize)] is not { } u)
        {
            return false;
        }
        // Karn, and more: an ACK that had to wait for this hole to fill says nothing about the path's RTT.
        _probeActive = false;
        u.LastSent = now;
        _stats.Retransmissions++;
        if (u.RunFlag != 0)
        {
            _runStartResentAt = now;
        }
        Transmit(Packet(FrcpFlags.Data | u.RunFlag, _sndLwe, u.Payload));
        return true;
    }

    private void UpdateRtt(TimeSpan sample)
    {
        if (!_haveRtt)
        {
            _srtt = sample;
            _mdev = sample / 2;
            _haveRtt = true;
        }
        else
        {
            var delta = sample - _srtt;
            _srtt += delta / 8;
            _mdev += (delta.Duration() - _mdev) / 4;
        }
        _rto = EstimatedRto;
    }

    /// <summary>
    /// Linux's <c>srtt + 4·rttvar</c>, plus the peer's ACK delay (as QUIC's PTO adds max_ack_delay): a sample taken on
    /// a piggy-backed ACK is shorter than one on a delayed ACK, and without it the RTO of a fast path falls below the
    /// ACK delay and every idle-then-send packet is retransmitted spuriously. Our deviation.
    /// </summary>
    private TimeSpan EstimatedRto => TimeSpan.FromTicks(Math.Clamp((_srtt + (4 * _mdev) + AckDelay).Ticks, RtoMin.Ticks, RtoMax.Ticks));

    private void OnWindow(uint window24)
    {
        // The 24-bit right edge, placed in the 2^24 band nearest to where the window should be.
        var guess = _sndLwe + ReorderQueueSize;
        var full = (guess & ~FrcpHeader.WindowMask) | (window24 & FrcpHeader.WindowMask);
        if ((int)(full - guess) > 0x800000)
        {
            full -= 0x1000000;
        }
        else if ((int)(guess - full) > 0x800000)
        {
            full += 0x1000000;
        }
        if (!Before(full, _sndLwe))
        {
            _sndRwe = full;
        }
    }

    /// <summary>Under the lock: sends what the windows, the congestion controls and the queue allow.</summary>
    private void Pump()
    {
        while (_state == FlowStateKind.Allocated && _tx.TryPeek(out var message))
        {
            if (Qos.InOrder)
            {
                if (!Before(_sndNext, _sndRwe))
                {
                    _rdvTimer.ArmIfIdle(RendezvousInterval);
                    break;
                }
                if (Qos.IsReliable && _sndNext - _sndLwe >= ReorderQueueSize)
                {
                    break;
                }
                if (_cc is not null && _sndNext - _sndLwe >= (uint)_cc.Window)
                {
                    break;
                }
            }
            var wait = _lower.ReserveSend(message.Length + (Qos.InOrder ? FrcpHeader.Size : 0));
            if (wait > TimeSpan.Zero)
            {
                _pumpTimer.ArmIfIdle(wait);
                break;
            }
            _tx.Dequeue();
            SendData(message);
        }
        WakeWriter();
    }

    private void SendData(byte[] message)
    {
        var now = _ctx.Now;
        if (!Qos.InOrder)
        {
            Transmit(message);
            return;
        }
        if (_sndLwe == _sndNext && now - _sndLastAct > SenderInactivity)
        {
            NewRun();
        }
        var flags = FrcpFlags.Data;
        if (_sndRunStart)
        {
            flags |= FrcpFlags.DataRun;
            _sndRunStart = false;
        }
        var seq = _sndNext++;
        _sndLastAct = now;
        if (Qos.IsReliable)
        {
            _ring[(int)(seq % ReorderQueueSize)] = new Unacked(message, now, flags & FrcpFlags.DataRun);
            if (!_probeActive)
            {
                _probeActive = true;
                _probeSeq = seq;
                _probeTime = now;
            }
            _rtxTimer.ArmIfIdle(_rto);
        }
        else
        {
            _sndLwe = _sndNext;
        }
        Transmit(Packet(flags, seq, message));
    }

    private byte[] Packet(FrcpFlags flags, uint seq, ReadOnlySpan<byte> payload)
    {
        uint ack = 0, window = 0;
        if (_rcvHasState)
        {
            flags |= FrcpFlags.Ack | FrcpFlags.FlowControl;
            ack = _rcvLwe;
            window = RcvRwe;
            _rcvAdvertised = window;
            _ackTimer.Cancel();
        }
        var packet = new byte[FrcpHeader.Size + payload.Length];
        new FrcpHeader(flags, window, seq, ack).Write(packet);
        payload.CopyTo(packet.AsSpan(FrcpHeader.Size));
        return packet;
    }

    private void Transmit(byte[] sdu)
    {
        _stats.SentPackets++;
        _stats.SentBytes += sdu.Length;
        _lastSend = _ctx.Now;
        _lower.Send(sdu);
    }

    private void ScheduleAck() => _ackTimer.ArmIfIdle(AckDelay);

    /// <summary>A header-only packet: acknowledgement and window (and, when <paramref name="rendezvous"/>, a request for them).</summary>
    private void SendControl() => SendControl(rendezvous: false);

    private void SendControl(bool rendezvous)
    {
        if ((_state != FlowStateKind.Allocated && !_halfDeallocated) || (!_rcvHasState && !rendezvous))
        {
            return;
        }
        Transmit(Packet(rendezvous ? FrcpFlags.Rendezvous : FrcpFlags.None, _sndNext, []));
    }

    /// <summary>The application took a message: reopen a window that had closed.</summary>
    private void OnAppRead()
    {
        if (Qos.InOrder && _rcvHasState && _rcvAdvertised - _rcvLwe < ReorderQueueSize / 4 && RcvRwe - _rcvLwe >= ReorderQueueSize / 2)
        {
            SendControl();
        }
    }

    private void OnRendezvousTimer()
    {
        if (_tx.Count > 0 && !Before(_sndNext, _sndRwe))
        {
            SendControl(rendezvous: true);
            _rdvTimer.Arm(RendezvousInterval);
        }
    }

    /// <summary>
    /// The retransmission timer: armed at RTO after the last progress (new data acknowledged, or a send into an idle
    /// flow); when it fires, the oldest unacknowledged packet is resent, the RTO backs off, and recovery resends each
    /// further hole as partial ACKs come back. Until a run's first ACK the RTO does not back off (our deviation: a lost
    /// run start blocks the whole run at a receiver without state, so it is retried at the plain RTO).
    /// </summary>
    private void OnRtxTimer()
    {
        if (!Qos.IsReliable || _state != FlowStateKind.Allocated || _sndLwe == _sndNext)
        {
            return;
        }
        var now = _ctx.Now;
        if (_ring[(int)(_sndLwe % ReorderQueueSize)] is { } oldest && now - oldest.FirstSent > DeltaR)
        {
            GoDown();
            return;
        }
        if (RetransmitOldest(now))
        {
            _inRecovery = true;
            _recover = _sndNext;
            _dupAcks = 0;
            if (_runAcked)
            {
                // Karn: back off; the next sample comes from a packet sent once.
                _rto = TimeSpan.FromTicks(Math.Min(_rto.Ticks * 2, RtoMax.Ticks));
            }
            _cc?.OnLoss(now, _srtt);
        }
        _rtxTimer.Arm(_rto);
    }

    private void GoDown()
    {
        _state = FlowStateKind.Down;
        StopTimersOnly();
        Raise(FlowEventKind.Down);
        WakeAll();
    }

    private void StopTimersOnly()
    {
        _rtxTimer.Cancel();
        _ackTimer.Cancel();
        _rdvTimer.Cancel();
        _pumpTimer.Cancel();
    }

    private void OnKeepalive()
    {
        if (_state != FlowStateKind.Allocated)
        {
            return;
        }
        var now = _ctx.Now;
        var interval = KeepaliveInterval;
        if (now - _lastSend >= interval)
        {
            _stats.Keepalives++;
            _lastSend = now;
            _lower.Send([]);
        }
        if (!_peerDead && now - _lastRecv >= TimeSpan.FromMilliseconds(Qos.Timeout))
        {
            _peerDead = true;
            Raise(FlowEventKind.Peer);
            WakeAll();
        }
        _keepalive!.Arm(interval);
    }

    private sealed class Unacked(byte[] payload, TimeSpan sent, FrcpFlags runFlag)
    {
        public byte[] Payload { get; } = payload;

        public FrcpFlags RunFlag { get; } = runFlag;

        public TimeSpan FirstSent { get; } = sent;

        public TimeSpan LastSent { get; set; } = sent;
    }
}

/// <summary>
/// Our deviation for flows that cross only a UDP shim, where the Internet path gives no overlay ECN: a congestion
/// window over FRCP's outstanding packets, halved on a retransmission timeout (loss) and shrunk when the RTT grows
/// 25 ms over its minimum (queueing, LEDBAT's target); slow start, then one packet per window per RTT.
/// </summary>
internal sealed class DelayLossController
{
    public const double MaxWindow = Flow.ReorderQueueSize;
    private static readonly TimeSpan Target = TimeSpan.FromMilliseconds(25);
    private TimeSpan _minRtt = TimeSpan.MaxValue;
    private TimeSpan? _lastDecrease;
    private double _ssthresh = MaxWindow;

    public double Window { get; private set; } = 16;

    public void OnAck(int packets, TimeSpan? sample, TimeSpan now, TimeSpan srtt)
    {
        if (sample is { } rtt)
        {
            _minRtt = rtt < _minRtt ? rtt : _minRtt;
            if (rtt - _minRtt > Target && SinceDecrease(now) > srtt)
            {
                Window = Math.Max(2, Window * 0.85);
                _ssthresh = Window;
                _lastDecrease = now;
                return;
            }
        }
        Window = Math.Min(MaxWindow, Window < _ssthresh ? Window + packets : Window + (packets / Window));
    }

    /// <summary>Time since the last decrease; never decreased: forever (not <c>now - MinValue</c>, which overflows).</summary>
    private TimeSpan SinceDecrease(TimeSpan now) => _lastDecrease is { } last ? now - last : TimeSpan.MaxValue;

    public void OnLoss(TimeSpan now, TimeSpan srtt)
    {
        if (SinceDecrease(now) > srtt)
        {
            _ssthresh = Math.Max(2, Window / 2);
            Window = _ssthresh;
            _lastDecrease = now;
        }
    }
}
