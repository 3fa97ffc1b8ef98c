namespace Ouinet.Client.FrontEnd;

/// <summary>One sample of the distributed cache for the dashboard's plots.</summary>
internal sealed record PeerSample(DateTimeOffset Time, int RoutingTableSize, long BytesToPeers, long BytesFromPeers, long LookupsSucceeded, long LookupsFailed);

/// <summary>
/// The distributed cache sampled every <see cref="Period"/> over the last hour (the DHT and peer plots), while it runs.
/// </summary>
internal sealed class PeerSeries(OuinetClient client, TimeProvider time)
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(10);
    public const int Capacity = 360;

    private readonly Lock _lock = new();
    private readonly Queue<PeerSample> _samples = new();

    public IReadOnlyList<PeerSample> Samples()
    {
        lock (_lock)
        {
            return [.. _samples];
        }
    }

    public void Sample()
    {
        if (client.DistributedCache?.GetSnapshot() is not { } s)
        {
            return;
        }
        var sample = new PeerSample(time.GetUtcNow(), s.RoutingTableSize, s.BytesToPeers, s.BytesFromPeers, s.LookupsSucceeded, s.LookupsFailed);
        lock (_lock)
        {
            _samples.Enqueue(sample);
            while (_samples.Count > Capacity)
            {
                _samples.Dequeue();
            }
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            do
            {
                Sample();
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
