using Ouinet.Overlay.Node;

namespace Ouinet.Overlay.Ipcp;

/// <summary>
/// A request that is resent until answered or given up (flow requests over lossy paths, CEP on raw flows). Under the
/// node's lock: <see cref="Complete"/> from the answer's handler; the awaiting code continues inline.
/// </summary>
internal sealed class Request<T> : IDisposable
{
    private readonly TaskCompletionSource<T> _done = NodeContext.NewSignal<T>();
    private readonly NodeTimer _timer;
    private readonly Action _send;
    private readonly TimeSpan _interval;
    private readonly CancellationTokenRegistration _cancel;
    private int _triesLeft;

    public Request(NodeContext context, Action send, TimeSpan interval, int tries, string what, CancellationToken cancellationToken)
    {
        _send = send;
        _interval = interval;
        _triesLeft = tries;
        _timer = context.Timer(() =>
        {
            if (--_triesLeft <= 0)
            {
                _done.TrySetException(new FlowException(OverlayError.TimedOut, $"no answer to {what}"));
                return;
            }
            _send();
            _timer!.Arm(_interval);
        });
        // Not through the node's lock: cancellation must end the wait even after the node has stopped.
        _cancel = cancellationToken.Register(() => _done.TrySetCanceled(cancellationToken));
    }

    public Task<T> Task => _done.Task;

    /// <summary>Sends the first time and arms the retries.</summary>
    public void Start()
    {
        _send();
        _timer.Arm(_interval);
    }

    public bool Complete(T value) => _done.TrySetResult(value);

    public bool Fail(Exception error) => _done.TrySetException(error);

    public void Dispose()
    {
        _timer.Dispose();
        _cancel.Dispose();
    }
}
