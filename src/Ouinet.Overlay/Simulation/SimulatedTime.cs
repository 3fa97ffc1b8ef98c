namespace Ouinet.Overlay.Simulation;

/// <summary>
/// Discrete-event time: a <see cref="TimeProvider"/> whose timers fire only when <see cref="RunFor"/> or
/// <see cref="RunUntil(Func{bool}, TimeSpan)"/> advance it, in time order (ties in creation order), on the calling
/// thread. Whole overlays then run deterministically, minutes of network time in a second of CPU.
/// </summary>
public sealed class SimulatedTime : TimeProvider
{
    private readonly PriorityQueue<(SimTimer Timer, long Version), (long Due, long Seq)> _queue = new();
    private readonly Lock _lock = new();
    private readonly DateTimeOffset _epoch;
    private long _now;
    private long _seq;

    public SimulatedTime(DateTimeOffset? epoch = null) => _epoch = epoch ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Time elapsed since the simulation began.</summary>
    public TimeSpan Elapsed => TimeSpan.FromTicks(Volatile.Read(ref _now));

    /// <summary>Events processed so far.</summary>
    public long Events { get; private set; }

    public override DateTimeOffset GetUtcNow() => _epoch + Elapsed;

    public override long GetTimestamp() => Volatile.Read(ref _now);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new SimTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Processes every event due within <paramref name="duration"/>, then sets the clock to its end.</summary>
    public void RunFor(TimeSpan duration)
    {
        var end = Volatile.Read(ref _now) + duration.Ticks;
        while (Step(end))
        {
        }
        Volatile.Write(ref _now, Math.Max(Volatile.Read(ref _now), end));
    }

    /// <summary>Processes events until <paramref name="done"/> holds (checked after each) or <paramref name="limit"/> passes; returns <paramref name="done"/>.</summary>
    public bool RunUntil(Func<bool> done, TimeSpan limit)
    {
        ArgumentNullException.ThrowIfNull(done);
        var end = Volatile.Read(ref _now) + limit.Ticks;
        while (!done())
        {
            if (!Step(end))
            {
                Volatile.Write(ref _now, Math.Max(Volatile.Read(ref _now), end));
                return done();
            }
        }
        return true;
    }

    /// <summary>Runs until <paramref name="task"/> completes (or the limit passes), then returns its result.</summary>
    public T Run<T>(Task<T> task, TimeSpan limit)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!RunUntil(() => task.IsCompleted, limit))
        {
            throw new TimeoutException($"Not done after {limit} of simulated time.");
        }
        return task.GetAwaiter().GetResult();
    }

    private bool Step(long end)
    {
        SimTimer timer;
        lock (_lock)
        {
            while (true)
            {
                if (!_queue.TryPeek(out var entry, out var key) || key.Due > end)
                {
                    return false;
                }
                _queue.Dequeue();
                if (entry.Version != entry.Timer.Version)
                {
                    continue;
                }
                timer = entry.Timer;
                Volatile.Write(ref _now, Math.Max(_now, key.Due));
                timer.Fired();
                break;
            }
        }
        Events++;
        timer.Invoke();
        return true;
    }

    private void Schedule(SimTimer timer, long due)
    {
        lock (_lock)
        {
            _queue.Enqueue((timer, timer.Version), (due, _seq++));
        }
    }

    private sealed class SimTimer(SimulatedTime owner, TimerCallback callback, object? state) : ITimer
    {
        private long _period = -1;

        public long Version { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                Version++;
                _period = period == Timeout.InfiniteTimeSpan ? -1 : Math.Max(1, period.Ticks);
                if (dueTime != Timeout.InfiniteTimeSpan)
                {
                    owner.Schedule(this, owner._now + Math.Max(0, dueTime.Ticks));
                }
            }
            return true;
        }

        /// <summary>Under the owner's lock: re-arms a periodic timer.</summary>
        public void Fired()
        {
            if (_period > 0)
            {
                owner.Schedule(this, owner._now + _period);
            }
            else
            {
                Version++;
            }
        }

        public void Invoke() => callback(state);

        public void Dispose()
        {
            lock (owner._lock)
            {
                Version++;
                _period = -1;
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
