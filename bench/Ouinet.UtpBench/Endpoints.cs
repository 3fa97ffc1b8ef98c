using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Ouinet.Utp;

namespace Ouinet.UtpBench;

/// <summary>
/// The two ends of a bulk transfer, each in its own process. The receiver times from the connection to the end of
/// the stream (as libtorrent times a download from peer_connect to finished) and reports its own CPU time; the sender
/// reports its CPU time. With <c>--flows N</c> there are N connections at once (fair sharing), each timed alone.
/// </summary>
internal static class Endpoints
{
    private static readonly IPEndPoint Loopback = new(IPAddress.Loopback, 0);

    public static async Task<int> ReceiveAsync(Arguments args, bool utp)
    {
        var flows = (int)args.Long("flows", 1);
        var results = new List<object>();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        if (utp)
        {
            await using var socket = UtpSocket.Bind(Loopback, Options(args) with { AcceptBacklog = flows });
            Console.WriteLine($"ready {socket.LocalEndPoint.Port}");
            var tasks = new List<Task<object>>();
            for (var i = 0; i < flows; i++)
            {
                var stream = await socket.AcceptAsync();
                cpu = i == 0 ? Process.GetCurrentProcess().TotalProcessorTime : cpu;
                tasks.Add(Task.Run(async () =>
                {
                    await using (stream)
                    {
                        var (bytes, seconds) = await DrainAsync(stream);
                        var s = stream.GetStatistics();
                        return (object)new { bytes, seconds, rtt_ms = s.SmoothedRtt.TotalMilliseconds, packet = s.PacketSize };
                    }
                }));
            }
            results.AddRange(await Task.WhenAll(tasks));
        }
        else
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            Console.WriteLine($"ready {((IPEndPoint)listener.LocalEndpoint).Port}");
            using var client = await listener.AcceptTcpClientAsync();
            cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var (bytes, seconds) = await DrainAsync(client.GetStream());
            results.Add(new { bytes, seconds });
        }
        var used = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        Console.WriteLine(JsonSerializer.Serialize(new { flows = results, cpu_seconds = used }));
        return 0;
    }

    public static async Task<int> SendAsync(Arguments args, bool utp)
    {
        var peer = IPEndPoint.Parse(args.Get("peer") ?? throw new ArgumentException("--peer IP:PORT"));
        var bytes = args.Long("bytes", 256L << 20);
        var flows = (int)args.Long("flows", 1);
        var seconds = args.Double("seconds", 0);
        var chunk = new byte[256 * 1024];
        new Random(1).NextBytes(chunk);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var deadline = seconds > 0 ? Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency) : long.MaxValue;
        if (utp)
        {
            await using var socket = UtpSocket.Bind(Loopback, Options(args));
            var streams = new List<UtpStream>();
            UtpConnectionStatistics? first = null;
            for (var i = 0; i < flows; i++)
            {
                streams.Add(await socket.ConnectAsync(peer));
            }
            cpu = Process.GetCurrentProcess().TotalProcessorTime;
            await Task.WhenAll(streams.Select(stream => Task.Run(async () =>
            {
                await using (stream)
                {
                    await PumpAsync(stream, chunk, bytes, deadline);
                    stream.CompleteWrites();
                    await stream.WritesClosed;
                    first ??= stream.GetStatistics();
                }
            })));
            var s = first!.Value;
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                cpu_seconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds,
                retransmissions = s.Retransmissions,
                fast_retransmissions = s.FastRetransmissions,
                timeouts = s.Timeouts,
                packets = s.PacketsSent,
                acks = s.PacketsReceived,
                rtt_ms = s.SmoothedRtt.TotalMilliseconds,
                cwnd = s.CongestionWindow,
            }));
            return 0;
        }
        else
        {
            using var client = new TcpClient();
            await client.ConnectAsync(peer);
            cpu = Process.GetCurrentProcess().TotalProcessorTime;
            await PumpAsync(client.GetStream(), chunk, bytes, deadline);
            client.Client.Shutdown(SocketShutdown.Send);
        }
        var used = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        Console.WriteLine(JsonSerializer.Serialize(new { cpu_seconds = used }));
        return 0;
    }

    private static UtpSocketOptions Options(Arguments args) => new()
    {
        LoopbackPacketSize = args.Flag("small-packets") ? 1400 : new UtpSocketOptions().LoopbackPacketSize,
    };

    private static async Task PumpAsync(Stream stream, byte[] chunk, long bytes, long deadline)
    {
        for (long sent = 0; sent < bytes && Stopwatch.GetTimestamp() < deadline;)
        {
            var count = (int)Math.Min(chunk.Length, bytes - sent);
            await stream.WriteAsync(chunk.AsMemory(0, count));
            sent += count;
        }
    }

    private static async Task<(long Bytes, double Seconds)> DrainAsync(Stream stream)
    {
        var buffer = new byte[256 * 1024];
        var started = Stopwatch.GetTimestamp();
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            total += read;
        }
        return (total, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    public static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
