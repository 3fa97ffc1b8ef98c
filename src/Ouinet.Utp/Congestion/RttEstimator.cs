namespace Ouinet.Utp.Congestion;

/// <summary>
/// RTT and retransmission timeout as BEP 29 gives them (the RFC 6298 estimator): <c>rtt += (sample - rtt) / 8</c>,
/// <c>rtt_var += (|rtt - sample| - rtt_var) / 4</c>, <c>timeout = max(rtt + 4 rtt_var, min)</c>, doubled on every
/// consecutive timeout (back-off) until an ACK makes progress. Samples come only from packets sent once (Karn).
/// </summary>
internal sealed class RttEstimator(long minTimeoutMicros, long maxTimeoutMicros)
{
    /// <summary>RFC 6298's initial RTO before any sample.</summary>
    public const long InitialTimeoutMicros = 1_000_000;

    private const int MaxBackoffShift = 6;

    private int _backoff;

    public bool HasSample { get; private set; }

    public long SmoothedMicros { get; private set; }

    public long VarianceMicros { get; private set; }

    public long MinMicros { get; private set; } = long.MaxValue;

    public long LatestMicros { get; private set; }

    public void AddSample(long sampleMicros)
    {
        sampleMicros = Math.Max(sampleMicros, 1);
        LatestMicros = sampleMicros;
        MinMicros = Math.Min(MinMicros, sampleMicros);
        if (!HasSample)
        {
            HasSample = true;
            SmoothedMicros = sampleMicros;
            VarianceMicros = sampleMicros / 2;
            return;
        }
        var delta = SmoothedMicros - sampleMicros;
        VarianceMicros += (Math.Abs(delta) - VarianceMicros) / 4;
        SmoothedMicros += (sampleMicros - SmoothedMicros) / 8;
    }

    /// <summary>The current retransmission timeout, back-off included.</summary>
    public long TimeoutMicros
    {
        get
        {
            var rto = HasSample ? Math.Max(SmoothedMicros + 4 * VarianceMicros, minTimeoutMicros) : Math.Max(InitialTimeoutMicros, minTimeoutMicros);
            return Math.Min(rto << _backoff, maxTimeoutMicros);
        }
    }

    public void BackOff() => _backoff = Math.Min(_backoff + 1, MaxBackoffShift);

    public void ResetBackOff() => _backoff = 0;
}
