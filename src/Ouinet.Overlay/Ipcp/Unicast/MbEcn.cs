namespace Ouinet.Overlay.Ipcp.Unicast;

/// <summary>
/// MB-ECN, multi-bit forward ECN, per N+1 flow in the unicast flow allocator (Ouroboros 0.18+). Relays OR
/// <c>queue_length &gt;&gt; 4</c> into the DT header's ECN byte. The receiver keeps a floating sum of the marks over
/// about 32 packets and reports it with FLOW_UPDATE: at once when congestion starts, every 8 packets while it lasts,
/// and once more when it ends. The sender keeps a byte budget per time window of 2^W ns (W from 24): doubled per
/// window in slow start, cut by <c>budget·ece/2^13</c> while ECE is reported, else raised by a constant; the window
/// is rescaled to hold 8 to 64 packets.
/// <para>
/// Our changes, so that flows sharing a bottleneck converge to a fair share (see the README's deviations): the
/// increase and the cut are per second, not per window (the additive step is <see cref="Increase"/>·window², the cut
/// scaled by the window's length), since two flows at the same rate may run windows of different lengths; the cut
/// applies to what an application-limited sender actually sends, not to credit it does not use; and the increase goes
/// on while ECE is reported, smaller as ECE grows (none from <see cref="EceNoIncrease"/>), so the sender's rate
/// settles where increase and cut balance, which is the same rate for every flow that sees the same marks. The
/// budget grows only when the last window used at least half of it (no banked credit).
/// </para>
/// </summary>
internal sealed class MbEcn
{
    public const int EceShift = 5;
    public const uint EceMax = (1 << 13) - 1;
    private const int UpdateEvery = 8;
    private const int EceResetPackets = 32;
    private const long MinBudget = 3000;
    private const long MaxBudget = 1L << 34;

    /// <summary>The additive increase in bytes/s per second: Ouroboros' "~4 MiB/s²".</summary>
    internal const double Increase = 4 << 20;

    /// <summary>From this ECE on, a marked sender only decreases (below it, the increase shrinks linearly with ECE).</summary>
    internal const int EceNoIncrease = 512;

    /// <summary>
    /// The longest window, 2^26 ns (67 ms; the reference goes on to 2^30, about a second): a sender throttled to a few
    /// packets must still react within a few tens of milliseconds when the marks stop or start.
    /// </summary>
    private const int MaxW = 26;

    private uint _rcvEce;
    private int _rcvSinceUpdate;

    private int _w = 24;
    private TimeSpan _windowStart = TimeSpan.MinValue;
    private long _budget = 1 << 16;
    private long _windowBytes;
    private int _windowPackets;
    private bool _slowStart = true;
    private ushort _sndEce;
    private int _sinceEce;
    private bool _windowLimited;
    private double _lastUsedRate;

    public ushort SenderEce => _sndEce;

    public ushort ReceiverEce => (ushort)_rcvEce;

    /// <summary>The sender's current rate budget in bytes per second.</summary>
    public double BudgetRate => _budget / Window.TotalSeconds;

    private TimeSpan Window => TimeSpan.FromTicks(Math.Max(1, (1L << _w) / 100));

    /// <summary>Receiver: a packet with <paramref name="ecn"/> arrived; returns the ECE to report now, if any.</summary>
    public ushort? OnReceive(byte ecn)
    {
        if (ecn == 0)
        {
            if (_rcvEce == 0)
            {
                return null;
            }
            _rcvEce >>= 2;
            if (_rcvEce == 0)
            {
                _rcvSinceUpdate = 0;
                return 0;
            }
            return ++_rcvSinceUpdate >= UpdateEvery ? Report() : null;
        }
        var started = _rcvEce == 0;
        _rcvEce = Math.Min(EceMax, _rcvEce - (_rcvEce >> EceShift) + ecn);
        if (started || ++_rcvSinceUpdate >= UpdateEvery)
        {
            return Report();
        }
        return null;
    }

    private ushort Report()
    {
        _rcvSinceUpdate = 0;
        return (ushort)_rcvEce;
    }

    /// <summary>Sender: the peer's FLOW_UPDATE.</summary>
    public void OnUpdate(ushort ece)
    {
        _sndEce = ece;
        _sinceEce = 0;
    }

    /// <summary>Sender: before a packet of <paramref name="bytes"/>; zero to send now, else how long to wait.</summary>
    public TimeSpan ReserveSend(int bytes, TimeSpan now)
    {
        if (_windowStart == TimeSpan.MinValue)
        {
            _windowStart = now;
        }
        if (now >= _windowStart + Window)
        {
            NextWindow(now);
        }
        if (_windowBytes > 0 && _windowBytes + bytes > _budget)
        {
            _windowLimited = true;
            return _windowStart + Window - now;
        }
        // Our addition: spread the budget over the window (two packets of slack) instead of sending it in one burst
        // at the window's start; a burst fills relay queues and draws marks the average rate does not deserve.
        var allowed = (_budget * (now - _windowStart).Ticks / Window.Ticks) + (2 * bytes);
        if (_windowBytes + bytes > allowed)
        {
            _windowLimited = true;
            return TimeSpan.FromTicks(Math.Max(1, (_windowBytes + bytes - allowed) * Window.Ticks / Math.Max(1, _budget)));
        }
        _windowBytes += bytes;
        _windowPackets++;
        if (++_sinceEce > EceResetPackets)
        {
            _sndEce = 0; // a lost "congestion over" update must not throttle forever
        }
        return TimeSpan.Zero;
    }

    private void NextWindow(TimeSpan now)
    {
        // What the window carried, per nominal window: a window that ran long (its first send came late) is not more use.
        var elapsed = now - _windowStart;
        var used = elapsed > Window ? _windowBytes * Window.Ticks / elapsed.Ticks : _windowBytes;
        var seconds = Window.TotalSeconds;
        var step = Increase * seconds * seconds;
        if (_sndEce > 0)
        {
            if (!_windowLimited)
            {
                // Application-limited: cut what it sends (the better of the last two windows, so one window a stalled
                // process left short is not taken for its rate); at most half the budget goes per window.
                var sending = Math.Max(used, (long)(_lastUsedRate * seconds));
                _budget = Math.Min(_budget, Math.Max(sending, _budget / 2));
            }
            // The cut as a fraction per 2^24 ns, whatever this window's length; the increase goes on, smaller as the
            // marks grow, so flows seeing the same marks settle at the same rate.
            _budget -= (long)Math.Min(_budget / 2, _budget * (double)_sndEce / (1 << 13) * Math.Pow(2, _w - 24));
            _budget += (long)(Math.Max(0, 1 - ((double)_sndEce / EceNoIncrease)) * step);
            _slowStart = false;
        }
        else if (used * 2 >= _budget)
        {
            _budget = _slowStart ? _budget * 2 : _budget + (long)step;
        }
        _lastUsedRate = used / seconds;
        if (_windowPackets > 64 && _w > 16)
        {
            _w--;
            _budget /= 2;
        }
        else if (_windowPackets < 8 && _w < MaxW && used * 2 >= _budget)
        {
            _w++;
            _budget *= 2;
        }
        _budget = Math.Clamp(_budget, MinBudget, MaxBudget);
        _windowStart = now;
        _windowBytes = 0;
        _windowPackets = 0;
        _windowLimited = false;
    }
}
