using Microsoft.Extensions.Logging;

namespace Ouinet.Overlay.Node;

/// <summary>
/// What every component of one node shares: the node's lock (all protocol state of a node is touched only under it, so
/// the components are single-threaded code), its clock, its random source and its logger. Timer callbacks and datagram
/// handlers enter through <see cref="Run"/>; internal awaits are on <see cref="NewSignal{T}"/>s, whose continuations
/// run inline, so that a simulated overlay stays deterministic.
/// </summary>
internal sealed class NodeContext(TimeProvider time, Random random, ILogger logger)
{
    private readonly long _origin = time.GetTimestamp();
    private bool _stopped;

    public Lock Gate { get; } = new();

    public TimeProvider Time { get; } = time;

    public Random Random { get; } = random;

    public ILogger Logger { get; } = logger;

    /// <summary>Monotonic time since the node started.</summary>
    public TimeSpan Now => Time.GetElapsedTime(_origin);

    public bool Stopped => _stopped;

    public void Stop()
    {
        lock (Gate)
        {
            _stopped = true;
        }
    }

    /// <summary>Runs <paramref name="action"/> under the node's lock unless the node stopped; logs what it throws.</summary>
    public void Run(Action action)
    {
        lock (Gate)
        {
            if (_stopped)
            {
                return;
            }
            try
            {
                action();
            }
#pragma warning disable CA1031 // One bad packet or timer must not take the node down; it is logged.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.ComponentFailed(Logger, e);
            }
        }
    }

    /// <summary>A one-shot timer that runs under the lock; re-arm with <see cref="NodeTimer.Arm"/>.</summary>
    public NodeTimer Timer(Action action) => new(this, action);

    /// <summary>Runs <paramref name="action"/> after <paramref name="due"/>, once.</summary>
    public void After(TimeSpan due, Action action)
    {
        ITimer? timer = null;
        timer = Time.CreateTimer(_ =>
        {
            timer?.Dispose();
            Run(action);
        }, null, due, Timeout.InfiniteTimeSpan);
    }

    /// <summary>A completion source for internal waits: continuations run inline, on the thread that completes it.</summary>
    public static TaskCompletionSource<T> NewSignal<T>() => new(TaskCreationOptions.None);

    /// <summary>A wait of <paramref name="delay"/> on the node's clock that continues inline under the lock.</summary>
    public Task Delay(TimeSpan delay, CancellationToken cancellationToken)
    {
        var done = NewSignal<bool>();
        var reg = cancellationToken.Register(() => done.TrySetCanceled(cancellationToken));
        After(delay, () =>
        {
            reg.Dispose();
            done.TrySetResult(true);
        });
        return done.Task;
    }

    public uint RandomUInt32()
    {
        Span<byte> b = stackalloc byte[4];
        Random.NextBytes(b);
        return BitConverter.ToUInt32(b);
    }

    public byte[] RandomBytes(int count)
    {
        var b = new byte[count];
        Random.NextBytes(b);
        return b;
    }
}

/// <summary>A re-armable one-shot timer of a node (one <see cref="ITimer"/>, changed rather than re-created).</summary>
internal sealed class NodeTimer : IDisposable
{
    private readonly ITimer _timer;

    public NodeTimer(NodeContext context, Action action)
    {
        _timer = context.Time.CreateTimer(_ => context.Run(() =>
        {
            if (Armed)
            {
                Armed = false;
                action();
            }
        }), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public bool Armed { get; private set; }

    public void Arm(TimeSpan due)
    {
        Armed = true;
        _timer.Change(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Arms unless already armed (keeps the earlier deadline).</summary>
    public void ArmIfIdle(TimeSpan due)
    {
        if (!Armed)
        {
            Arm(due);
        }
    }

    public void Cancel()
    {
        Armed = false;
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public void Dispose()
    {
        Armed = false;
        _timer.Dispose();
    }
}
