namespace Ouinet.Injector;

/// <summary>
/// A cancellation that fires after a period without progress: every <see cref="Reset"/> (called on each read or write
/// that moved bytes) starts the period again. Also fires when the parent token does; <see cref="HasTimedOut"/> tells
/// the two apart. <see cref="Reset"/> only stores a timestamp (it runs on every I/O); the one timer, when it fires,
/// re-arms itself for what is left of the period since the last progress, and cancels once a whole period passed.
/// </summary>
public sealed class IdleTimeout : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly TimeProvider _time;
    private TimeSpan _period;
    private readonly ITimer _timer;
    private readonly CancellationTokenRegistration _registration;
    private long _lastProgress;
    private volatile bool _timedOut;
    private volatile bool _disposed;

    public IdleTimeout(TimeSpan period, TimeProvider timeProvider, CancellationToken parent)
    {
        _period = period;
        _time = timeProvider;
        _lastProgress = timeProvider.GetTimestamp();
        _timer = timeProvider.CreateTimer(static s => ((IdleTimeout)s!).OnTimer(), this, period, Timeout.InfiniteTimeSpan);
        _registration = parent.UnsafeRegister(static s => ((IdleTimeout)s!).Cancel(), this);
        ResetCallback = Reset;
    }

    /// <summary><see cref="Reset"/> as one delegate for the object's life (progress callbacks are set on every request).</summary>
    public Action ResetCallback { get; }

    public CancellationToken Token => _source.Token;

    /// <summary>The period ran out (rather than the parent being canceled).</summary>
    public bool HasTimedOut => _timedOut;

    public void Reset() => Volatile.Write(ref _lastProgress, _time.GetTimestamp());

    /// <summary>Starts a new period of <paramref name="period"/> (reusing this object across requests); false once it fired.</summary>
    public bool Restart(TimeSpan period)
    {
        if (_source.IsCancellationRequested)
        {
            return false;
        }
        _period = period;
        Reset();
        _timer.Change(period, Timeout.InfiniteTimeSpan);
        return true;
    }

    /// <summary>Stops counting until the next <see cref="Restart"/>.</summary>
    public void Pause()
    {
        _period = Timeout.InfiniteTimeSpan;
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public void Dispose()
    {
        _disposed = true;
        _registration.Dispose();
        _timer.Dispose();
        _source.Dispose();
    }

    private void OnTimer()
    {
        var period = _period;
        if (period == Timeout.InfiniteTimeSpan)
        {
            return;
        }
        var idle = _time.GetElapsedTime(Volatile.Read(ref _lastProgress));
        if (idle < period)
        {
            try
            {
                _timer.Change(period - idle, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
            }
            return;
        }
        _timedOut = true;
        Cancel();
    }

    private void Cancel()
    {
        if (_disposed)
        {
            return;
        }
        try
        {
            _source.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
