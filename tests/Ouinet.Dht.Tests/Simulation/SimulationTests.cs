using Ouinet.Dht.Simulation;

namespace Ouinet.Dht.Tests.Simulation;

/// <summary>
/// The real engine on the virtual network, at a size CI can afford (the 10,000-node run is the benchmark,
/// bench/run.sh dht). Simulated time: minutes of DHT life in seconds, identical on every run.
/// </summary>
public class SimulationTests
{
    private static SimulationOptions Small(int nodes, int seed) => new()
    {
        Nodes = nodes,
        JoinPeriod = TimeSpan.FromMinutes(3),
        SettlePeriod = TimeSpan.FromMinutes(2),
        MeasurementPeriod = TimeSpan.FromMinutes(5),
        InfoHashes = 40,
        Lookups = 300,
        Seed = seed,
        MeasureMemory = false,
    };

    [Fact(Timeout = 120000)]
    public async Task ThousandNodes_WithLatencyLossAndChurn_FindAnnouncedPeers_FastAndCheaply()
    {
        var report = await Task.Run(() => DhtSimulation.Run(Small(1000, seed: 7)), TestContext.Current.CancellationToken);
        TestContext.Current.SendDiagnosticMessage(report.ToMarkdown());
        Assert.True(report.SuccessRate >= 0.99, $"success {report.SuccessRate:P2}");
        Assert.True(report.MedianLookupTime <= TimeSpan.FromSeconds(4), $"median {report.MedianLookupTime}");
        Assert.True(report.MeanMessagesPerLookup <= 60, $"messages {report.MeanMessagesPerLookup}");
        Assert.True(report.MeanAnnounceAccepted >= 6, $"announce reached {report.MeanAnnounceAccepted}");
        Assert.Equal(200, report.NodesLeft);
    }

    [Fact(Timeout = 60000)]
    public async Task SameSeed_SameRun()
    {
        var options = Small(200, seed: 3) with { Lookups = 50, InfoHashes = 10, MeasurementPeriod = TimeSpan.FromMinutes(2) };
        var a = await Task.Run(() => DhtSimulation.Run(options), TestContext.Current.CancellationToken);
        var b = await Task.Run(() => DhtSimulation.Run(options), TestContext.Current.CancellationToken);
        Assert.Equal(a.Events, b.Events);
        Assert.Equal(a.Successful, b.Successful);
        Assert.Equal(a.MeanMessagesPerLookup, b.MeanMessagesPerLookup);
    }
}
