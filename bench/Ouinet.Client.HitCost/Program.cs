// The cost of one fresh cache hit in the client, measured in-process and so independent of other load on the machine:
// bytes allocated and CPU time per request (req/s is printed too, but it is the noisy figure).
//  1. A Kestrel origin and an in-process injector put a 10 KiB object (max-age one day) into an in-process
//     OuinetClient's store (origin access off, so it is injected and stored); then both stop.
//  2. Driver threads send the same proxy-form GET over keep-alive loopback sockets, each with a blocking socket and
//     fixed buffers (the driver allocates nothing per request), and check every response byte for byte against the first.
//  3. Allocated bytes (GC.GetTotalAllocatedBytes), process CPU time and gen-0 collections over N requests, divided by N.
// Usage: Ouinet.Client.HitCost [requests per connection (default 20000)] [connections (default 1)] [--types]
//   --types: also samples what is allocated (the runtime's GC AllocationTick events, about one per 100 KB), by type.
using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ouinet.Client;
using Ouinet.Injector;
using Ouinet.Injector.Origin;

var positional = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
var perConnection = positional.Length > 0 ? int.Parse(positional[0], CultureInfo.InvariantCulture) : 20_000;
var connections = positional.Length > 1 ? int.Parse(positional[1], CultureInfo.InvariantCulture) : 1;
var sampleTypes = args.Contains("--types");
const int Size = 10 * 1024;

var work = Directory.CreateTempSubdirectory("ouinet-hitcost");
try
{
    var body = new byte[Size];
    new Random(Size).NextBytes(body);

    var builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
    var origin = builder.Build();
    origin.MapGet("/obj10k", (HttpContext context) =>
    {
        context.Response.Headers.CacheControl = "max-age=86400";
        return Results.Bytes(body, "application/octet-stream");
    });
    await origin.StartAsync();
    var originPort = new Uri(origin.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;

    using var key = new InjectorRepository(Path.Combine(work.FullName, "injector")).LoadOrCreateSigningKey();
    await using var injector = new InjectorServer(new InjectorOptions
    {
        SigningKey = key,
        TcpEndpoints = [new IPEndPoint(IPAddress.Loopback, 0)],
        AllowPrivateTargets = true,
        OriginResolver = new LoopbackResolver(),
    });
    var injectorEndpoint = (await injector.StartAsync())[0].EndPoint;

    await using var client = new OuinetClient(new ClientOptions
    {
        Repository = Path.Combine(work.FullName, "client"),
        ListenOnTcp = new IPEndPoint(IPAddress.Loopback, 0),
        FrontEndEndPoint = null,
        InjectorEndpoint = $"tcp:{injectorEndpoint}",
        CacheHttpPublicKey = key.PublicKey.ToHex(),
        DisableOriginAccess = true,
        LogLevel = LogLevel.Warning,
    });
    Directory.CreateDirectory(client.Options.Repository);
    var proxy = await client.StartAsync();

    var url = $"http://bench.test:{originPort}/obj10k";
    var request = Encoding.ASCII.GetBytes($"GET {url} HTTP/1.1\r\nHost: bench.test:{originPort}\r\n\r\n");
    // The first request injects and stores; the second must be a hit, and is the reference every later response must equal.
    var injected = Exchange(proxy, request);
    if (!Encoding.ASCII.GetString(injected).Contains("X-Ouinet-Source: injector", StringComparison.Ordinal))
    {
        throw new InvalidOperationException("The object was not injected:\n" + Encoding.ASCII.GetString(injected));
    }
    await injector.StopAsync(TimeSpan.FromSeconds(1));
    await origin.StopAsync();
    var reference = Exchange(proxy, request);
    var headText = Encoding.ASCII.GetString(reference, 0, reference.Length - Size);
    if (!headText.Contains("X-Ouinet-Source: local-cache", StringComparison.Ordinal) || !reference.AsSpan(reference.Length - Size).SequenceEqual(body))
    {
        throw new InvalidOperationException("The object is not served whole from the local cache:\n" + headText);
    }
    Console.WriteLine($"hit response: {reference.Length} bytes ({reference.Length - Size} head + {Size} body)");

    Run(proxy, request, reference, connections, Math.Min(perConnection, 5_000)); // warm-up: tiered JIT, open entry
    using var sampler = sampleTypes ? new AllocationSampler() : null;
    var result = Run(proxy, request, reference, connections, perConnection);
    Console.WriteLine(result);
    sampler?.Print(result.Requests);
    await client.StopAsync(TimeSpan.FromSeconds(1));
}
finally
{
    work.Delete(recursive: true);
}

static Measurement Run(IPEndPoint proxy, byte[] request, byte[] reference, int connections, int perConnection)
{
    var sockets = Enumerable.Range(0, connections).Select(_ => Connect(proxy)).ToArray();
    using var start = new Barrier(connections + 1);
    var threads = sockets.Select(socket => new Thread(() =>
    {
        var buffer = new byte[reference.Length];
        start.SignalAndWait();
        for (var i = 0; i < perConnection; i++)
        {
            socket.Send(request);
            ReadExactly(socket, buffer);
            if (!buffer.AsSpan().SequenceEqual(reference))
            {
                throw new InvalidOperationException("A hit differs from the reference response.");
            }
        }
    }) { IsBackground = true }).ToArray();
    foreach (var thread in threads)
    {
        thread.Start();
    }
    var process = Process.GetCurrentProcess();
    GC.Collect();
    GC.WaitForPendingFinalizers();
    var allocated = GC.GetTotalAllocatedBytes(precise: true);
    process.Refresh();
    var cpu = process.TotalProcessorTime;
    var gen0 = GC.CollectionCount(0);
    var clock = Stopwatch.StartNew();
    start.SignalAndWait();
    foreach (var thread in threads)
    {
        thread.Join();
    }
    var elapsed = clock.Elapsed;
    process.Refresh();
    var result = new Measurement(
        (long)connections * perConnection,
        GC.GetTotalAllocatedBytes(precise: true) - allocated,
        process.TotalProcessorTime - cpu,
        elapsed,
        GC.CollectionCount(0) - gen0,
        connections);
    foreach (var socket in sockets)
    {
        socket.Dispose();
    }
    return result;
}

static Socket Connect(IPEndPoint proxy)
{
    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    socket.Connect(proxy);
    return socket;
}

static void ReadExactly(Socket socket, byte[] buffer)
{
    for (var done = 0; done < buffer.Length;)
    {
        var read = socket.Receive(buffer, done, buffer.Length - done, SocketFlags.None);
        if (read == 0)
        {
            throw new IOException("The client closed the connection.");
        }
        done += read;
    }
}

// One request on a new connection: the head, then the body of its Content-Length.
static byte[] Exchange(IPEndPoint proxy, byte[] request)
{
    using var socket = Connect(proxy);
    socket.Send(request);
    var received = new List<byte>();
    var chunk = new byte[64 * 1024];
    while (true)
    {
        var read = socket.Receive(chunk);
        if (read == 0)
        {
            throw new IOException("Connection closed before a whole response.");
        }
        received.AddRange(chunk.AsSpan(0, read));
        var text = Encoding.ASCII.GetString([.. received]);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            continue;
        }
        var length = text[..end].Split("\r\n").Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(l => int.Parse(l[15..].Trim(), CultureInfo.InvariantCulture)).FirstOrDefault(-1);
        var chunked = text[..end].Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase);
        if (length >= 0 && received.Count >= end + 4 + length)
        {
            return [.. received];
        }
        if (chunked && text.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal))
        {
            return [.. received];
        }
    }
}

internal sealed record Measurement(long Requests, long AllocatedBytes, TimeSpan Cpu, TimeSpan Elapsed, int Gen0, int Connections)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Requests} hits over {Connections} connection(s): {AllocatedBytes / (double)Requests:0} B allocated/request, " +
        $"{Cpu.TotalMicroseconds / Requests:0.0} µs CPU/request (client + driver), {Requests / Elapsed.TotalSeconds:0} req/s, " +
        $"{Gen0} gen-0 GCs");
}

internal sealed class LoopbackResolver : IOriginResolver
{
    public ValueTask<IReadOnlyList<IPEndPoint>> ResolveAsync(string host, int port, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<IPEndPoint>>([new IPEndPoint(IPAddress.Loopback, port)]);
}

/// <summary>The runtime's GC AllocationTick events (one per ~100 KB allocated), summed by type: where the bytes go.</summary>
internal sealed class AllocationSampler : EventListener
{
    private readonly Dictionary<string, long> _bytes = [];
    private long _total;

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || eventData.Payload is null)
        {
            return;
        }
        var names = eventData.PayloadNames!;
        var type = eventData.Payload[names.IndexOf("TypeName")] as string ?? "?";
        var amount = Convert.ToInt64(eventData.Payload[names.IndexOf("AllocationAmount")], CultureInfo.InvariantCulture);
        lock (_bytes)
        {
            _bytes[type] = _bytes.GetValueOrDefault(type) + amount;
            _total += amount;
        }
    }

    public void Print(long requests)
    {
        lock (_bytes)
        {
            Console.WriteLine("sampled allocations by type (B/request, estimated):");
            foreach (var (type, bytes) in _bytes.OrderByDescending(p => p.Value).Take(40))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {bytes / (double)requests,8:0.0}  {type}"));
            }
        }
    }
}
