namespace Ouinet.Injector;

/// <summary>
/// A cancellation that fires after a period without progress: every <see cref="Reset"/> (called on each read or write
/// that moved bytes) starts the period again. Also fires when the parent token does; <see cref="HasTimedOut"/> tells
/// the two apart.
/// </summary>
internal sealed class IdleTimeout : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly CancellationToken _parent;
    private readonly TimeSpan _period;

    public IdleTimeout(TimeSpan period, TimeProvider timeProvider, CancellationToken parent)
    {
        _period = period;
        _parent = parent;
        _source = new CancellationTokenSource(period, timeProvider);
        _registration = parent.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _source);
    }

    private readonly CancellationTokenRegistration _registration;

    public CancellationToken Token => _source.Token;

    /// <summary>The period ran out (rather than the parent being canceled).</summary>
    public bool HasTimedOut => _source.IsCancellationRequested && !_parent.IsCancellationRequested;

    public void Reset()
    {
        try
        {
            _source.CancelAfter(_period);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        _registration.Dispose();
        _source.Dispose();
    }
}
