namespace Ouinet.Client.Upstream;

/// <summary>
/// Tries candidates as Ouinet C++ does to reach the injector: in the order given, a new attempt started every
/// <c>spacing</c> while none has succeeded (at once when none is in flight), at most <c>maxInFlight</c> at a time. The
/// first attempt to succeed wins; the others are cancelled, and any that succeeded too are disposed.
/// </summary>
internal static class ConnectRace
{
    /// <summary>As C++ Ouinet: attempts 100 ms apart, at most 10 at once.</summary>
    public static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(100);

    public const int MaxInFlight = 10;

    /// <summary>
    /// The winner and its result. Throws <see cref="InjectorUnreachableException"/> with <paramref name="describeFailure"/>
    /// of the failures' messages (none: no candidate) when the candidates ran out and every attempt failed;
    /// <paramref name="onFailed"/> hears of each failure.
    /// </summary>
    public static async Task<(TCandidate Winner, TResult Result)> RunAsync<TCandidate, TResult>(
        IAsyncEnumerable<TCandidate> candidates, Func<TCandidate, CancellationToken, Task<TResult>> attempt, Func<TResult, ValueTask> dispose,
        Action<TCandidate, Exception> onFailed, Func<IReadOnlyList<string>, string> describeFailure, TimeSpan spacing, int maxInFlight, TimeProvider time, CancellationToken cancellationToken)
    {
        using var race = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var inFlight = new List<(TCandidate Candidate, Task<TResult> Task)>();
        var failures = new List<string>();
        var enumerator = candidates.GetAsyncEnumerator(race.Token);
        Task<bool>? next = null;
        Task? pause = null;
        var exhausted = false;
        (TCandidate, TResult)? won = null;
        try
        {
            while (true)
            {
                foreach (var done in inFlight.Where(a => a.Task.IsCompleted).ToList())
                {
                    inFlight.Remove(done);
                    if (done.Task.IsCompletedSuccessfully && won is null)
                    {
                        won = (done.Candidate, done.Task.Result);
                    }
                    else if (!done.Task.IsCompletedSuccessfully)
                    {
                        var error = done.Task.Exception?.GetBaseException() ?? new OperationCanceledException();
                        cancellationToken.ThrowIfCancellationRequested();
                        failures.Add(error.Message);
                        onFailed(done.Candidate, error);
                    }
                }
                if (won is { } winner)
                {
                    return winner;
                }
                var mayStart = !exhausted && next is null && inFlight.Count < maxInFlight && (inFlight.Count == 0 || pause is null || pause.IsCompleted);
                if (mayStart)
                {
                    next = enumerator.MoveNextAsync().AsTask();
                }
                if (next is { IsCompleted: true })
                {
                    bool more;
                    try
                    {
                        more = await next;
                    }
                    catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                    {
                        // The lookup failed: what was started may still win.
                        failures.Add(e.Message);
                        more = false;
                    }
                    if (more)
                    {
                        var candidate = enumerator.Current;
                        inFlight.Add((candidate, StartAsync(attempt, candidate, race.Token)));
                        pause = Task.Delay(spacing, time, race.Token);
                    }
                    else
                    {
                        exhausted = true;
                    }
                    next = null;
                    continue;
                }
                if (exhausted && inFlight.Count == 0)
                {
                    throw new InjectorUnreachableException(describeFailure(failures));
                }
                var waits = inFlight.Select(a => (Task)a.Task).ToList();
                if (next is not null)
                {
                    waits.Add(next);
                }
                else if (!exhausted && inFlight.Count < maxInFlight && pause is { IsCompleted: false })
                {
                    waits.Add(pause);
                }
                await Task.WhenAny(waits).WaitAsync(cancellationToken);
            }
        }
        finally
        {
            await race.CancelAsync();
            // A winner's rivals: cancelled, and disposed if they got through anyway.
            foreach (var (_, task) in inFlight)
            {
                try
                {
                    await dispose(await task);
                }
                catch (Exception)
                {
                    // Cancelled or failed: nothing to dispose.
                }
            }
            if (next is not null)
            {
                try
                {
                    await next;
                }
                catch (Exception)
                {
                    // The lookup, cancelled.
                }
            }
            if (pause is not null)
            {
                await pause.ContinueWith(static _ => { }, TaskScheduler.Default);
            }
            await enumerator.DisposeAsync();
        }
    }

    // Through an async method: an attempt that throws at once fails its task rather than the race.
    private static async Task<TResult> StartAsync<TCandidate, TResult>(Func<TCandidate, CancellationToken, Task<TResult>> attempt, TCandidate candidate, CancellationToken cancellationToken) =>
        await attempt(candidate, cancellationToken);
}
