using Ouinet.Overlay.Simulation;

namespace Ouinet.Overlay.Tests.Support;

/// <summary>The simulated clock, with timers that fire a fixed time late, as real timers do (by a millisecond or more).</summary>
internal sealed class LateTimers(SimulatedTime time, TimeSpan lateness) : TimeProvider
{
    public override long GetTimestamp() => time.GetTimestamp();

    public override long TimestampFrequency => time.TimestampFrequency;

    public override DateTimeOffset GetUtcNow() => time.GetUtcNow();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new Late(time.CreateTimer(callback, state, Due(dueTime, lateness), Period(period, lateness)), lateness);

    private static TimeSpan Due(TimeSpan t, TimeSpan lateness) => t == Timeout.InfiniteTimeSpan ? t : t + lateness;

    /// <summary>Zero and infinite periods mean "not periodic" and stay so.</summary>
    private static TimeSpan Period(TimeSpan t, TimeSpan lateness) => t == Timeout.InfiniteTimeSpan || t == TimeSpan.Zero ? t : t + lateness;

    private sealed class Late(ITimer inner, TimeSpan lateness) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(Due(dueTime, lateness), Period(period, lateness));

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
