namespace Ouinet.Client.Routing;

/// <summary>One answered (or failed) proxy request, as the front-end's "sources" table shows it.</summary>
/// <param name="Source">The <c>X-Ouinet-Source</c> value (<c>origin</c>, <c>proxy</c>, <c>injector</c>, <c>local-cache</c>, <c>dist-cache</c>), or <c>failed</c>.</param>
/// <param name="Verification">Whether the answer was signed and verified: <c>verified</c>, <c>verified (stale)</c>, <c>not signed</c>, or <c>none</c> for failures.</param>
public sealed record RequestRecord(DateTimeOffset Time, string Method, string Uri, string Source, int Status, string Verification);

/// <summary>Requests counted per source in one minute.</summary>
public sealed record MinuteCounts(DateTimeOffset Start, IReadOnlyDictionary<string, int> BySource);

/// <summary>
/// What the router did with recent requests, for the front-end's dashboard: the last <see cref="RecentCapacity"/>
/// requests and, per minute over the last hour, how many each source answered. Memory only, bounded; thread-safe.
/// </summary>
public sealed class RequestStatistics(TimeProvider time)
{
    public const int RecentCapacity = 200;
    public const int Minutes = 60;
    public const string Failed = "failed";

    /// <summary>Every source the dashboard plots, in its order.</summary>
    public static IReadOnlyList<string> Sources { get; } = ["origin", "proxy", "injector", "local-cache", "dist-cache", Failed];

    private readonly Lock _lock = new();
    private readonly Queue<RequestRecord> _recent = new();
    private readonly Dictionary<long, Dictionary<string, int>> _minutes = [];
    private long _total;

    public long Total
    {
        get
        {
            lock (_lock)
            {
                return _total;
            }
        }
    }

    /// <summary>Records a request answered by <paramref name="mechanism"/> (null: every mechanism failed).</summary>
    public void Record(string method, string uri, Mechanism? mechanism, int status)
    {
        var source = mechanism?.Source() ?? Failed;
        var verification = mechanism switch
        {
            null => "none",
            Mechanism.Origin or Mechanism.Proxy => "not signed",
            Mechanism.StaleCache => "verified (stale)",
            _ => "verified",
        };
        var now = time.GetUtcNow();
        var minute = now.ToUnixTimeSeconds() / 60;
        lock (_lock)
        {
            _total++;
            _recent.Enqueue(new RequestRecord(now, method, uri, source, status, verification));
            while (_recent.Count > RecentCapacity)
            {
                _recent.Dequeue();
            }
            if (!_minutes.TryGetValue(minute, out var counts))
            {
                _minutes[minute] = counts = [];
                foreach (var old in _minutes.Keys.Where(k => k <= minute - Minutes).ToList())
                {
                    _minutes.Remove(old);
                }
            }
            counts[source] = counts.GetValueOrDefault(source) + 1;
        }
    }

    /// <summary>The most recent requests, newest first.</summary>
    public IReadOnlyList<RequestRecord> Recent()
    {
        lock (_lock)
        {
            return [.. _recent.Reverse()];
        }
    }

    /// <summary>The last <see cref="Minutes"/> minutes, oldest first, the current one last (minutes without requests included, empty).</summary>
    public IReadOnlyList<MinuteCounts> LastHour()
    {
        var current = time.GetUtcNow().ToUnixTimeSeconds() / 60;
        var result = new List<MinuteCounts>(Minutes);
        lock (_lock)
        {
            for (var m = current - Minutes + 1; m <= current; m++)
            {
                var counts = _minutes.TryGetValue(m, out var c) ? new Dictionary<string, int>(c) : [];
                result.Add(new MinuteCounts(DateTimeOffset.FromUnixTimeSeconds(m * 60), counts));
            }
        }
        return result;
    }
}
