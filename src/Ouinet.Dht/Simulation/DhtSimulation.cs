using System.Diagnostics;
using System.Net;
using Ouinet.Dht.Lookups;

namespace Ouinet.Dht.Simulation;

/// <summary>
/// Runs the scenario of <see cref="SimulationOptions"/> on a <see cref="VirtualNetwork"/> with the real engine and
/// reports lookup success, latency and cost, announce reach and memory.
/// </summary>
public static class DhtSimulation
{
    private const long OnlineBeforeLookupMs = 60_000;

    public static SimulationReport Run(SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var wall = Stopwatch.StartNew();
        var net = new VirtualNetwork(options.Latency, options.Jitter, options.Loss, options.Seed);
        var random = net.Random;
        var online = new List<SimNode>(options.Nodes);

        // 1. Join: each node bootstraps from a random node already in.
        var heapBefore = options.MeasureMemory ? GC.GetTotalMemory(forceFullCollection: true) : 0;
        var joinMs = (long)options.JoinPeriod.TotalMilliseconds;
        for (var i = 0; i < options.Nodes; i++)
        {
            var at = options.Nodes == 1 ? 0 : joinMs * i / (options.Nodes - 1);
            net.Schedule(at, () => Join(net, options, online, random));
        }
        var settledMs = joinMs + (long)options.SettlePeriod.TotalMilliseconds;
        net.RunUntil(settledMs);

        long memoryPerNode = 0;
        if (options.MeasureMemory)
        {
            memoryPerNode = (GC.GetTotalMemory(forceFullCollection: true) - heapBefore) / Math.Max(1, online.Count);
        }
        var tableSize = online.Average(n => (double)n.Engine.Table.Count);

        // 2. Announce: each info-hash by one random node, implied port, spread over the announce period.
        var announced = new List<(NodeId InfoHash, IPEndPoint Peer)>();
        var announceResults = new List<(int Accepted, long Ms)>();
        var announceMs = (long)options.AnnouncePeriod.TotalMilliseconds;
        for (var i = 0; i < options.InfoHashes; i++)
        {
            var infoHash = random.NextId();
            var at = settledMs + (announceMs * i / Math.Max(1, options.InfoHashes));
            net.Schedule(at, () =>
            {
                var announcer = online[random.Next(online.Count)];
                announced.Add((infoHash, announcer.EndPoint));
                var started = net.NowMs;
                announcer.Engine.StartAnnounce(infoHash, null, null, op => announceResults.Add((op.Accepted, net.NowMs - started)));
            });
        }
        var measureStart = settledMs + announceMs + (long)options.Latency.TotalMilliseconds * 200;
        net.RunUntil(measureStart);

        // 3. Measure under churn: nodes leave at random times and as many new ones join; lookups run meanwhile.
        var measureMs = (long)options.MeasurementPeriod.TotalMilliseconds;
        var departures = (int)Math.Round(options.Churn * options.Nodes);
        var left = 0;
        var joined = 0;
        for (var i = 0; i < departures; i++)
        {
            net.Schedule(measureStart + random.Next((int)measureMs), () =>
            {
                var index = random.Next(online.Count);
                online[index].Online = false;
                online[index] = online[^1];
                online.RemoveAt(online.Count - 1);
                left++;
                Join(net, options, online, random);
                joined++;
            });
        }
        var results = new List<Lookup>();
        var targets = new List<IPEndPoint>();
        for (var i = 0; i < options.Lookups; i++)
        {
            net.Schedule(measureStart + random.Next((int)measureMs), () =>
            {
                if (announced.Count == 0)
                {
                    return;
                }
                var (infoHash, peer) = announced[random.Next(announced.Count)];
                SimNode node;
                do
                {
                    node = online[random.Next(online.Count)];
                }
                while (net.NowMs - node.JoinedMs < OnlineBeforeLookupMs);
                results.Add(node.Engine.StartLookup(LookupKind.GetPeers, infoHash, null, null));
                targets.Add(peer);
            });
        }
        var endMs = measureStart + measureMs + (long)options.Dht.LookupTimeout.TotalMilliseconds + 1000;
        net.RunUntil(endMs);

        var successful = new List<Lookup>();
        for (var i = 0; i < results.Count; i++)
        {
            if (results[i].Peers.Contains(targets[i]))
            {
                successful.Add(results[i]);
            }
        }
        var messages = results.Select(l => (double)(l.QueriesSent + l.Responses)).Order().ToList();
        return new SimulationReport
        {
            Options = options,
            Lookups = results.Count,
            Successful = successful.Count,
            MedianTimeToPeer = Percentile(successful.Select(l => l.FirstPeerMs - l.StartedMs), 0.5),
            P95TimeToPeer = Percentile(successful.Select(l => l.FirstPeerMs - l.StartedMs), 0.95),
            MedianLookupTime = Percentile(results.Select(l => (l.IsFinished ? l.FinishedMs : endMs) - l.StartedMs), 0.5),
            P95LookupTime = Percentile(results.Select(l => (l.IsFinished ? l.FinishedMs : endMs) - l.StartedMs), 0.95),
            MeanMessagesPerLookup = messages.Count == 0 ? 0 : messages.Average(),
            MedianMessagesPerLookup = PercentileOf(messages, 0.5),
            P95MessagesPerLookup = PercentileOf(messages, 0.95),
            MeanQueriesPerLookup = results.Count == 0 ? 0 : results.Average(l => (double)l.QueriesSent),
            Announces = announceResults.Count,
            MeanAnnounceAccepted = announceResults.Count == 0 ? 0 : announceResults.Average(a => (double)a.Accepted),
            MedianAnnounceTime = Percentile(announceResults.Select(a => a.Ms), 0.5),
            MemoryPerNodeBytes = memoryPerNode,
            MeanRoutingTableSize = tableSize,
            DatagramsPerNodeSecond = net.DatagramsSent / (double)options.Nodes / (endMs / 1000.0),
            NodesJoined = joined,
            NodesLeft = left,
            SimulatedTime = TimeSpan.FromMilliseconds(endMs),
            WallTime = wall.Elapsed,
            Events = net.Events,
        };
    }

    private static void Join(VirtualNetwork net, SimulationOptions options, List<SimNode> online, DhtRandom random)
    {
        var node = net.AddNode(options.Dht);
        var bootstrap = online.Count == 0 ? [] : new[] { online[random.Next(online.Count)].EndPoint };
        node.Start(bootstrap);
        online.Add(node);
    }

    private static TimeSpan Percentile(IEnumerable<long> values, double p)
    {
        var sorted = values.Order().ToList();
        return TimeSpan.FromMilliseconds(PercentileOf(sorted.Select(v => (double)v).ToList(), p));
    }

    private static double PercentileOf(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
