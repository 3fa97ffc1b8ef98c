namespace Ouinet.Utp.Congestion;

/// <summary>
/// LEDBAT (RFC 6817) as BEP 29 applies it: the window grows by at most <see cref="GainBytesPerRtt"/> per RTT while the
/// queuing delay is under the target and shrinks in proportion when it is over, so uTP yields to TCP and to
/// interactive traffic. Slow start (as libtorrent does) doubles the window per RTT until the delay reaches the target or
/// a packet is lost. Loss halves the window; a timeout drops it to one packet.
/// </summary>
public sealed class LedbatController : ICongestionController
{
    /// <summary>BEP 29's MAX_CWND_INCREASE_BYTES_PER_RTT (libtorrent's utp_gain_factor).</summary>
    public const int GainBytesPerRtt = 3000;

    /// <summary>Windows never go below this many packets except right after a timeout (RFC 6817 MIN_CWND).</summary>
    public const int MinWindowPackets = 2;

    private const double LossFactor = 0.5;

    private readonly int _packetSize;
    private readonly int _maxWindow;
    private readonly double _target;
    private double _window;
    private double _slowStartThreshold;
    private bool _slowStart = true;

    public LedbatController(CongestionControllerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _packetSize = context.PacketSize;
        _maxWindow = Math.Max(context.MaxWindow, MinWindowPackets * context.PacketSize);
        _target = Math.Max(1, context.TargetDelay.TotalMicroseconds);
        _window = MinWindowPackets * _packetSize; // RFC 6817 INIT_CWND
    }

    public int Window => (int)_window;

    /// <summary>Still doubling per RTT (no loss, delay under target, threshold not reached).</summary>
    public bool InSlowStart => _slowStart;

    public void OnAck(in CongestionAck ack)
    {
        if (ack.AckedBytes <= 0 || ack.QueuingDelayMicroseconds < 0)
        {
            return;
        }
        var delay = ack.QueuingDelayMicroseconds;
        if (delay >= _target && _slowStart)
        {
            _slowStartThreshold = _window / 2;
            _slowStart = false;
        }
        // off_target / TARGET, clamped so one wild sample cannot empty the window at once.
        var delayFactor = Math.Clamp((_target - delay) / _target, -1, 1);
        var windowFactor = Math.Min(1, (double)ack.AckedBytes / Math.Max(ack.BytesInFlight, ack.AckedBytes));
        var gain = GainBytesPerRtt * delayFactor * windowFactor;
        if (gain > 0 && !ack.WindowLimited)
        {
            gain = 0; // RFC 6817 §2.4.1: an application-limited sender does not learn a bigger window.
        }
        else if (_slowStart && ack.WindowLimited)
        {
            if (_slowStartThreshold > 0 && _window + ack.AckedBytes > _slowStartThreshold)
            {
                _slowStart = false;
            }
            else
            {
                gain = Math.Max(gain, ack.AckedBytes);
            }
        }
        _window = Math.Clamp(_window + gain, MinWindowPackets * _packetSize, _maxWindow);
    }

    public void OnLoss()
    {
        _window = Math.Max(_window * LossFactor, MinWindowPackets * _packetSize);
        _slowStartThreshold = _window;
        _slowStart = false;
    }

    public void OnTimeout()
    {
        _slowStartThreshold = Math.Max(_window / 2, MinWindowPackets * _packetSize);
        _window = _packetSize; // BEP 29: max_window drops to one packet
        _slowStart = true;
    }
}
