using System.Diagnostics;
using System.Net;
using Ouinet.Dht;
using Ouinet.Dht.Messages;
using Ouinet.Net;

namespace Ouinet.Benchmarks.Dht;

/// <summary>
/// How many queries one node answers on a real loopback socket: client sockets on 127.0.1.x keep a window of queries
/// in flight and count the answers. The per-source rate limit is lifted (it would cap each client at 20/s by design).
/// </summary>
internal static class DhtLoopbackBenchmark
{
    public sealed record Result(string Query, int ResponseBytes, double AnsweredPerSecond, double LossPercent, double CpuPercent);

    public static async Task<List<Result>> RunAsync(TimeSpan duration, int clients, int window)
    {
        var options = new DhtOptions
        {
            UseDefaultBootstrapRouters = false,
            QueriesPerSecondPerSource = 1e9,
            QueryBurstPerSource = int.MaxValue,
        };
        await using var multiplexer = UdpMultiplexer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await using var node = new DhtNode(options, multiplexer);
        multiplexer.Start();
        await node.StartAsync(CancellationToken.None);
        var random = new Random(9);
        // A routing table of 300 nodes, so that find_node and get_peers answers carry 8 real nodes.
        node.WithEngine(engine =>
        {
            for (var i = 0; i < 300; i++)
            {
                var id = new byte[20];
                random.NextBytes(id);
                engine.Table.OnResponded(new NodeId(id), new IPEndPoint(IPAddress.Parse($"127.2.{i / 250}.{(i % 250) + 1}"), 6881), true, engine.NowMs);
            }
            return 0;
        });
        var infoHash = InfoHash.Of("bench"u8);
        await AnnouncePeersAsync(node, infoHash, 50);

        var results = new List<Result>();
        foreach (var (name, method) in new[] { ("ping", KrpcMethod.Ping), ("find_node", KrpcMethod.FindNode), ("get_peers (50 values)", KrpcMethod.GetPeers) })
        {
            results.Add(await MeasureAsync(node, name, method, infoHash, duration, clients, window));
        }
        return results;
    }

    private static async Task AnnouncePeersAsync(DhtNode node, InfoHash infoHash, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await using var socket = UdpDatagramSocket.Bind(new IPEndPoint(IPAddress.Parse($"127.3.0.{i + 1}"), 0));
            var id = NodeId.CreateRandom();
            var reply = await AskAsync(socket, node.LocalEndPoint, Query(KrpcMethod.GetPeers, id, infoHash.Key, 0));
            await AskAsync(socket, node.LocalEndPoint, new KrpcMessage
            {
                TransactionId = [9, 9],
                Type = KrpcMessageType.Query,
                Method = KrpcMethod.AnnouncePeer,
                Id = id,
                InfoHash = infoHash.Key,
                ImpliedPort = true,
                Token = reply.Token,
            });
        }
    }

    private static async Task<KrpcMessage> AskAsync(UdpDatagramSocket socket, IPEndPoint to, KrpcMessage query)
    {
        await socket.SendAsync(KrpcEncoder.Encode(query), to);
        var buffer = new byte[2048];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, timeout.Token);
            if (KrpcDecoder.TryDecode(buffer.AsSpan(0, received.Length), out var m) == KrpcDecodeError.None && m!.Type != KrpcMessageType.Query)
            {
                return m;
            }
        }
    }

    private static KrpcMessage Query(KrpcMethod method, NodeId id, NodeId target, int n) => new()
    {
        TransactionId = [(byte)(n >> 8), (byte)n],
        Type = KrpcMessageType.Query,
        Method = method,
        Id = id,
        Target = method == KrpcMethod.FindNode ? target : null,
        InfoHash = method == KrpcMethod.GetPeers ? target : null,
    };

    private static async Task<Result> MeasureAsync(DhtNode node, string name, KrpcMethod method, InfoHash infoHash, TimeSpan duration, int clients, int window)
    {
        long sent = 0, answered = 0, bytes = 0;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            await using var socket = UdpDatagramSocket.Bind(new IPEndPoint(IPAddress.Parse($"127.1.0.{c + 1}"), 0));
            var id = NodeId.CreateRandom();
            var datagrams = Enumerable.Range(0, window).Select(n => KrpcEncoder.Encode(Query(method, id, infoHash.Key, n))).ToArray();
            var buffer = new byte[2048];
            while (clock.Elapsed < duration)
            {
                foreach (var d in datagrams)
                {
                    await socket.SendAsync(d, node.LocalEndPoint);
                }
                Interlocked.Add(ref sent, window);
                // Wait for this window's answers (or 20 ms for the ones lost), then send the next.
                using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(20));
                var got = 0;
                try
                {
                    while (got < window)
                    {
                        var r = await socket.ReceiveAsync(buffer, wait.Token);
                        if (buffer[r.Length - 2] == (byte)'r')
                        {
                            got++;
                            Interlocked.Exchange(ref bytes, r.Length);
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                }
                Interlocked.Add(ref answered, got);
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds / seconds * 100;
        return new Result(name, (int)Interlocked.Read(ref bytes), answered / seconds, 100.0 * (sent - answered) / Math.Max(1, sent), cpu);
    }
}
