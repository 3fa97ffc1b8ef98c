using System.Diagnostics;
using System.Net;
using Ouinet.Utp;

// quick mode for development: in-process or two-process bulk transfer
var mode = args.Length > 0 ? args[0] : "inproc";
long size = args.Length > 1 ? long.Parse(args[1]) : 256L << 20;
var pkt = int.Parse(Environment.GetEnvironmentVariable("PKT") ?? "64000");
var opts = new UtpSocketOptions { LoopbackPacketSize = pkt };
switch (mode)
{
    case "inproc":
    {
        await using var server = UtpSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0), opts with { AcceptBacklog = 1 });
        await using var client = UtpSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0), opts);
        var recv = Task.Run(async () =>
        {
            await using var s = await server.AcceptAsync();
            var buf = new byte[1 << 16];
            long total = 0; int n;
            while ((n = await s.ReadAsync(buf)) > 0) total += n;
            return total;
        });
        var sw = Stopwatch.StartNew();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        await using (var c = await client.ConnectAsync(server.LocalEndPoint))
        {
            var buf = new byte[1 << 16];
            Random.Shared.NextBytes(buf);
            for (long sent = 0; sent < size; sent += buf.Length) await c.WriteAsync(buf);
            c.CompleteWrites();
            var got = await recv;
            sw.Stop();
            var st = c.GetStatistics();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
            Console.WriteLine($"{got} bytes in {sw.Elapsed.TotalSeconds:F2}s = {got / sw.Elapsed.TotalSeconds / 1e6:F1} MB/s; cpu {cpu.TotalSeconds:F2}s; {st}; gc0={GC.CollectionCount(0)} alloc={GC.GetTotalAllocatedBytes() / 1e6:F1}MB");
        }
        break;
    }
    case "recv":
    {
        await using var server = UtpSocket.Bind(new IPEndPoint(IPAddress.Loopback, int.Parse(args[2])), opts with { AcceptBacklog = 1 });
        await using var s = await server.AcceptAsync();
        var buf = new byte[1 << 16];
        long total = 0; int n;
        var sw = Stopwatch.StartNew();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        while ((n = await s.ReadAsync(buf)) > 0) total += n;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        Console.WriteLine($"recv {total} in {sw.Elapsed.TotalSeconds:F2}s cpu {cpu.TotalSeconds:F2}s {s.GetStatistics()} gc0={GC.CollectionCount(0)} alloc={GC.GetTotalAllocatedBytes() / 1e6:F1}MB {server.Statistics}");
        break;
    }
    case "send":
    {
        await using var client = UtpSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0), opts);
        await using var c = await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, int.Parse(args[2])));
        var buf = new byte[1 << 16];
        Random.Shared.NextBytes(buf);
        var sw = Stopwatch.StartNew();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        for (long sent = 0; sent < size; sent += buf.Length) await c.WriteAsync(buf);
        c.CompleteWrites();
        await c.WritesClosed;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        Console.WriteLine($"send {size} in {sw.Elapsed.TotalSeconds:F2}s = {size / sw.Elapsed.TotalSeconds / 1e6:F1} MB/s cpu {cpu.TotalSeconds:F2}s {c.GetStatistics()} gc0={GC.CollectionCount(0)} alloc={GC.GetTotalAllocatedBytes() / 1e6:F1}MB");
        break;
    }
}
