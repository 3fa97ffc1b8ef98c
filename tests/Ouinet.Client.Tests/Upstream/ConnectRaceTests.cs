using Microsoft.Extensions.Time.Testing;
using Ouinet.Client.Upstream;

namespace Ouinet.Client.Tests.Upstream;

/// <summary><see cref="ConnectRace"/> with attempts the tests control: order, the in-flight bound, spacing, the winner's rivals.</summary>
public sealed class ConnectRaceTests
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(1);

    /// <summary>A resource an attempt yields; the race disposes a rival's.</summary>
    private sealed class Connection(int candidate)
    {
        public int Candidate { get; } = candidate;

        public bool Disposed { get; set; }
    }

    private static async IAsyncEnumerable<int> Candidates(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return i;
        }
    }

    private static string Describe(IReadOnlyList<string> failures) => failures.Count == 0 ? "no candidate found" : string.Join("; ", failures);

    private static ValueTask Dispose(Connection c)
    {
        c.Disposed = true;
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task CandidatesStartInOrder_AndNeverMoreThanTheBoundAreInFlight()
    {
        var ct = TestContext.Current.CancellationToken;
        var started = new List<int>();
        var release = Enumerable.Range(0, 15).Select(_ => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var tenStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var eleventhStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int inFlight = 0, most = 0;
        var failed = new List<int>();
        async Task<Connection> Attempt(int candidate, CancellationToken token)
        {
            lock (started)
            {
                started.Add(candidate);
                most = Math.Max(most, ++inFlight);
                (started.Count == 10 ? tenStarted : started.Count == 11 ? eleventhStarted : null)?.TrySetResult();
            }
            try
            {
                // true: succeed; false: fail.
                return await release[candidate].Task.WaitAsync(token) ? new Connection(candidate) : throw new InjectorUnreachableException($"no {candidate}");
            }
            finally
            {
                lock (started)
                {
                    inFlight--;
                }
            }
        }

        var race = ConnectRace.RunAsync(Candidates(15), Attempt, Dispose, (c, _) => failed.Add(c), Describe, Short, 10, TimeProvider.System, ct);
        await tenStarted.Task.WaitAsync(ct);
        // Many spacings go by: a race without the bound would start more now (a correct one passes however slow the machine).
        await Task.Delay(200, ct);
        release[0].SetResult(false);
        await eleventhStarted.Task.WaitAsync(ct);
        release[10].SetResult(true);
        var (winner, connection) = await race;

        Assert.Equal(10, winner);
        Assert.Equal(10, connection.Candidate);
        Assert.False(connection.Disposed);
        Assert.Equal(Enumerable.Range(0, 11), started);
        Assert.Equal(10, most);
        Assert.Equal([0], failed);
    }

    [Fact]
    public async Task AttemptsAreSpaced_WhileOneIsInFlight()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider();
        var startedAt = new System.Collections.Concurrent.ConcurrentDictionary<int, DateTimeOffset>();
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<Connection> Attempt(int candidate, CancellationToken token)
        {
            startedAt[candidate] = time.GetUtcNow();
            if (candidate == 0)
            {
                first.TrySetResult();
                await Task.Delay(Timeout.Infinite, token);
            }
            return new Connection(candidate);
        }

        var race = ConnectRace.RunAsync(Candidates(2), Attempt, Dispose, (_, _) => { }, Describe, TimeSpan.FromMilliseconds(100), 10, time, ct);
        await first.Task.WaitAsync(ct);
        // Fake time moves 1 ms per step, with a real pause for the race to act, until the second attempt starts. (A
        // single jump to 99 and then 100 ms hung when it came before the race had set its timer.)
        for (var step = 0; step < 1000 && !startedAt.ContainsKey(1); step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
            await Task.Delay(1, ct);
        }
        Assert.True(startedAt.ContainsKey(1), "the second attempt never started");
        var spacing = startedAt[1] - startedAt[0];
        // Never before the spacing; a little after it at most when the race set its timer late.
        Assert.InRange(spacing, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300));
        Assert.Equal(1, (await race).Winner);
    }

    [Fact]
    public async Task WithNoneInFlight_TheNextStartsAtOnce_WhateverTheSpacing()
    {
        var ct = TestContext.Current.CancellationToken;
        var failed = new List<int>();
        async Task<Connection> Attempt(int candidate, CancellationToken token)
        {
            await Task.Yield();
            return candidate < 4 ? throw new InjectorUnreachableException($"no {candidate}") : new Connection(candidate);
        }

        var (winner, _) = await ConnectRace.RunAsync(Candidates(5), Attempt, Dispose, (c, _) => failed.Add(c), Describe, TimeSpan.FromHours(1), 10, TimeProvider.System, ct);

        Assert.Equal(4, winner);
        Assert.Equal([0, 1, 2, 3], failed);
    }

    [Fact]
    public async Task TheWinnersRivalsAreCancelled_AndDisposedIfTheyGotThroughAnyway()
    {
        var ct = TestContext.Current.CancellationToken;
        var late = new Connection(0);
        var cancelled = false;
        var bothStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var count = 0;
        async Task<Connection> Attempt(int candidate, CancellationToken token)
        {
            if (Interlocked.Increment(ref count) == 3)
            {
                bothStarted.TrySetResult();
            }
            switch (candidate)
            {
                case 0:
                    // Completes as the race is cancelled: a connection made just as the winner was found.
                    var done = new TaskCompletionSource<Connection>(TaskCreationOptions.RunContinuationsAsynchronously);
                    await using (token.Register(() => done.TrySetResult(late)))
                    {
                        return await done.Task;
                    }
                case 1:
                    try
                    {
                        await Task.Delay(Timeout.Infinite, token);
                    }
                    catch (OperationCanceledException)
                    {
                        cancelled = true;
                        throw;
                    }
                    return new Connection(1);
                default:
                    await bothStarted.Task;
                    return new Connection(candidate);
            }
        }

        var (winner, connection) = await ConnectRace.RunAsync(Candidates(3), Attempt, Dispose, (_, _) => { }, Describe, Short, 10, TimeProvider.System, ct);

        Assert.Equal(2, winner);
        Assert.False(connection.Disposed);
        Assert.True(late.Disposed);
        Assert.True(cancelled);
    }

    [Fact]
    public async Task WhenAllFail_TheErrorNamesEachFailure()
    {
        var ct = TestContext.Current.CancellationToken;
        Task<Connection> Attempt(int candidate, CancellationToken token) => throw new InjectorUnreachableException($"failure {candidate}");

        var error = await Assert.ThrowsAsync<InjectorUnreachableException>(() =>
            ConnectRace.RunAsync(Candidates(3), Attempt, Dispose, (_, _) => { }, Describe, Short, 10, TimeProvider.System, ct));

        Assert.Equal("failure 0; failure 1; failure 2", error.Message);
        var none = await Assert.ThrowsAsync<InjectorUnreachableException>(() =>
            ConnectRace.RunAsync(Candidates(0), Attempt, Dispose, (_, _) => { }, Describe, Short, 10, TimeProvider.System, ct));
        Assert.Equal("no candidate found", none.Message);
    }
}
