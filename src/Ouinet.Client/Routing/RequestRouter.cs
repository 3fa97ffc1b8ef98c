using Microsoft.Extensions.Logging;
using Ouinet.Client.Upstream;
using Ouinet.Injector.Origin;
using Ouinet.Protocol;

namespace Ouinet.Client.Routing;

/// <summary>The router's result: the answer it committed to, or every mechanism's reason for failing.</summary>
public sealed record RouteOutcome(Answer? Answer, IReadOnlyList<string> Failures);

/// <summary>
/// Runs a <see cref="RoutePlan"/>: mechanisms are tried in the plan's order and the first one that produces a response
/// head wins; one failing before that (refused, unreachable, an injector error, a head that does not verify) falls
/// through to the next, so the browser never sees a broken response from it. The origin is raced as Ouinet C++ races
/// it: when it has not answered within <see cref="RaceDelay"/> (3 s), the rest of the plan starts in parallel, and the
/// first head wins (the other attempt is canceled and released). Only idempotent requests without a body race.
/// </summary>
public sealed class RequestRouter
{
    private readonly IReadOnlyDictionary<Mechanism, IMechanism> _mechanisms;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public RequestRouter(IEnumerable<IMechanism> mechanisms, TimeSpan raceDelay, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(mechanisms);
        _mechanisms = mechanisms.ToDictionary(m => m.Kind);
        RaceDelay = raceDelay;
        _time = time;
        _logger = logger;
    }

    public TimeSpan RaceDelay { get; }

    /// <summary>The mechanisms this router has (a plan's others are skipped as unavailable).</summary>
    public IReadOnlyCollection<Mechanism> Available => [.. _mechanisms.Keys];

    public async Task<RouteOutcome> RouteAsync(RouteRequest request, RoutePlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(plan);
        var steps = new List<Mechanism>(plan.Mechanisms.Count);
        for (var i = 0; i < plan.Mechanisms.Count; i++)
        {
            if (_mechanisms.ContainsKey(plan.Mechanisms[i]))
            {
                steps.Add(plan.Mechanisms[i]);
            }
        }
        var failures = new List<string>();
        var mayRace = request.Body is null && request.Head.Method is "GET" or "HEAD";
        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i] == Mechanism.Origin && mayRace && i + 1 < steps.Count && RaceDelay > TimeSpan.Zero)
            {
                var answer = await RaceAsync(request, steps[(i + 1)..], failures, cancellationToken).ConfigureAwait(false);
                return new RouteOutcome(answer, failures);
            }
            if (await TryAsync(steps[i], request, failures, cancellationToken).ConfigureAwait(false) is { } found)
            {
                return new RouteOutcome(found, failures);
            }
        }
        if (steps.Count == 0)
        {
            failures.Add("no mechanism is enabled for this request");
        }
        return new RouteOutcome(null, failures);
    }

    private async Task<Answer?> RaceAsync(RouteRequest request, List<Mechanism> rest, List<string> failures, CancellationToken cancellationToken)
    {
        using var originCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var restCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var originFailures = new List<string>();
        var restFailures = new List<string>();
        var origin = TryAsync(Mechanism.Origin, request, originFailures, originCancel.Token);
        using (var delay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var timer = Task.Delay(RaceDelay, _time, delay.Token);
            if (await Task.WhenAny(origin, timer).ConfigureAwait(false) == origin)
            {
                await delay.CancelAsync().ConfigureAwait(false);
                failures.AddRange(originFailures);
                return await origin.ConfigureAwait(false) ?? await SequenceAsync(rest, request, failures, cancellationToken).ConfigureAwait(false);
            }
        }
        Log.OriginSlow(_logger, RaceDelay);
        var secondary = SequenceAsync(rest, request, restFailures, restCancel.Token);
        var first = await Task.WhenAny(origin, secondary).ConfigureAwait(false);
        var other = first == origin ? secondary : origin;
        var winner = await first.ConfigureAwait(false);
        if (winner is null)
        {
            winner = await other.ConfigureAwait(false);
        }
        else
        {
            await (first == origin ? restCancel : originCancel).CancelAsync().ConfigureAwait(false);
            try
            {
                if (await other.ConfigureAwait(false) is { } loser && loser != winner)
                {
                    await loser.DisposeAsync().ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
        failures.AddRange(originFailures);
        failures.AddRange(restFailures);
        return winner;
    }

    private async Task<Answer?> SequenceAsync(List<Mechanism> steps, RouteRequest request, List<string> failures, CancellationToken cancellationToken)
    {
        foreach (var step in steps)
        {
            if (await TryAsync(step, request, failures, cancellationToken).ConfigureAwait(false) is { } answer)
            {
                return answer;
            }
        }
        return null;
    }

    /// <summary>One mechanism; null (with the reason recorded) when it failed before a head. Cancellation by the caller propagates.</summary>
    private async Task<Answer?> TryAsync(Mechanism mechanism, RouteRequest request, List<string> failures, CancellationToken cancellationToken)
    {
        try
        {
            var answer = await _mechanisms[mechanism].TryAsync(request, cancellationToken).ConfigureAwait(false);
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                var source = mechanism.Source();
                Log.Answered(_logger, source, answer.Status);
            }
            return answer;
        }
        catch (Exception e) when (IsMechanismFailure(e) && !cancellationToken.IsCancellationRequested)
        {
            var name = Describe(mechanism);
            var reason = $"{name}: {e.Message}";
            Log.MechanismFailed(_logger, name, e.Message);
            lock (failures)
            {
                failures.Add(reason);
            }
            return null;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private static bool IsMechanismFailure(Exception e) =>
        e is MechanismFailedException or OriginException or InjectorUnreachableException or OuinetVerificationException
            or IOException or System.Net.Sockets.SocketException or Http.HttpParseException or OperationCanceledException;

    private static string Describe(Mechanism mechanism) => mechanism switch
    {
        Mechanism.StaleCache => "local-cache (stale)",
        _ => mechanism.Source(),
    };
}
