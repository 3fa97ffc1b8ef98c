using System.Globalization;
using System.Text;
using Ouinet.Dht.Simulation;

namespace Ouinet.Benchmarks.Dht;

/// <summary>
/// <c>Ouinet.Benchmarks dht [--nodes N] [--lookups N] [--seconds S]</c>: the 10,000-node simulation and the loopback
/// throughput figure, printed as the Markdown of bench/results/dht.md.
/// </summary>
internal static class DhtBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var nodes = Arg(args, "--nodes", 10_000);
        var lookups = Arg(args, "--lookups", 1000);
        var seconds = Arg(args, "--seconds", 5);
        var s = new StringBuilder();
        var c = CultureInfo.InvariantCulture;

        var loopback = await DhtLoopbackBenchmark.RunAsync(TimeSpan.FromSeconds(seconds), clients: 4, window: 32);
        var options = new SimulationOptions { Nodes = nodes, Lookups = lookups };
        var report = DhtSimulation.Run(options);

        s.AppendLine(c, $"## Simulation: {nodes:N0} nodes, 50 ms one-way latency, 5 % loss, 20 % churn");
        s.AppendLine();
        s.AppendLine(c, $"Nodes join over {options.JoinPeriod.TotalMinutes:0} min (each from a random node already in), settle for {options.SettlePeriod.TotalMinutes:0} min; {options.InfoHashes} nodes announce one info-hash each (implied port);");
        s.AppendLine(c, $"then for {options.MeasurementPeriod.TotalMinutes:0} min, {options.Churn:P0} of the nodes leave at random moments and as many new ones join, while {lookups:N0} get_peers");
        s.AppendLine("lookups start at random moments from random nodes (online for at least a minute) for random announced info-hashes.");
        s.AppendLine("A lookup succeeds when it returns the announcer's endpoint. Times are simulated; every datagram is encoded and decoded.");
        s.AppendLine();
        s.AppendLine("| target | measured | met |");
        s.AppendLine("|---|---|---|");
        s.AppendLine(c, $"| ≥ 99 % of get_peers lookups find an announced peer | {report.SuccessRate:P2} ({report.Successful:N0} / {report.Lookups:N0}) | {Met(report.SuccessRate >= 0.99)} |");
        s.AppendLine(c, $"| median lookup ≤ 4 s simulated | {report.MedianLookupTime.TotalSeconds:0.00} s to the end of the lookup (p95 {report.P95LookupTime.TotalSeconds:0.00} s); first peer after {report.MedianTimeToPeer.TotalSeconds:0.00} s (p95 {report.P95TimeToPeer.TotalSeconds:0.00} s) | {Met(report.MedianLookupTime.TotalSeconds <= 4)} |");
        s.AppendLine(c, $"| ≤ 60 messages per lookup | {report.MeanMessagesPerLookup:0.0} mean (queries sent + responses received; p95 {report.P95MessagesPerLookup:0}) | {Met(report.MeanMessagesPerLookup <= 60)} |");
        s.AppendLine();
        s.AppendLine(report.ToMarkdown());
        s.AppendLine("## Real socket: queries one node answers on loopback");
        s.AppendLine();
        s.AppendLine(c, $"One DhtNode on 127.0.0.1 (300 nodes in its table, 50 peers stored); 4 client sockets on 127.1.0.x each keep {32} queries in flight, {seconds} s per query type.");
        s.AppendLine("The per-source rate limit is lifted for this (by default a source gets 20 queries/s, bursts of 60). CPU is the whole process, clients included.");
        s.AppendLine();
        s.AppendLine("| query | answer size | answered / s | unanswered | CPU (of 1 core) |");
        s.AppendLine("|---|---|---|---|---|");
        foreach (var r in loopback)
        {
            s.AppendLine(c, $"| {r.Query} | {r.ResponseBytes} B | **{r.AnsweredPerSecond:N0}** | {r.LossPercent:0.0} % | {r.CpuPercent:0} % |");
        }
        Console.Write(s.ToString());
        return 0;
    }

    private static string Met(bool ok) => ok ? "yes" : "**no**";

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
