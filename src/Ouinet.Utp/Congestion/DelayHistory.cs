namespace Ouinet.Utp.Congestion;

/// <summary>
/// One-way delay samples against a base delay (RFC 6817 §3.4.2). Clocks of the two ends are unrelated, so a sample
/// is only meaningful relative to the smallest one seen: the base. The base is the minimum over the last
/// <see cref="BaseHistoryMinutes"/> one-minute buckets, so a base that drifts upwards (the clocks run apart) is
/// forgotten within minutes. Samples are 32-bit microsecond differences and wrap; comparisons are wrap-aware.
/// </summary>
internal sealed class DelayHistory
{
    /// <summary>RFC 6817 BASE_HISTORY.</summary>
    public const int BaseHistoryMinutes = 10;

    private const long MinuteMicros = 60_000_000;

    private readonly uint[] _minutes = new uint[BaseHistoryMinutes];
    private int _index;
    private long _nextRotation;

    public bool IsInitialized { get; private set; }

    public uint Base { get; private set; }

    /// <summary>Adds a raw sample; returns it minus the base (the queuing delay estimate).</summary>
    public uint AddSample(uint sample, long nowMicros)
    {
        if (!IsInitialized)
        {
            IsInitialized = true;
            Base = sample;
            Array.Fill(_minutes, sample);
            _nextRotation = nowMicros + MinuteMicros;
            return 0;
        }
        if (nowMicros >= _nextRotation)
        {
            _nextRotation = nowMicros + MinuteMicros;
            _index = (_index + 1) % BaseHistoryMinutes;
            _minutes[_index] = sample;
            Base = _minutes[0];
            foreach (var m in _minutes)
            {
                if (Before(m, Base))
                {
                    Base = m;
                }
            }
        }
        if (Before(sample, _minutes[_index]))
        {
            _minutes[_index] = sample;
        }
        if (Before(sample, Base))
        {
            Base = sample;
        }
        return sample - Base;
    }

    /// <summary>
    /// Raises the base by <paramref name="change"/> µs. Used for clock drift: when the peer's base (our view of their
    /// packets) goes down, ours is going up by as much, and an unadjusted base would read the drift as queuing delay.
    /// </summary>
    public void AdjustBase(uint change)
    {
        Base += change;
        for (var i = 0; i < _minutes.Length; i++)
        {
            _minutes[i] += change;
        }
    }

    private static bool Before(uint a, uint b) => (int)(a - b) < 0;
}
