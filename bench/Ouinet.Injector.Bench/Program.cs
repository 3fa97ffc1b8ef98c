using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Ouinet.Http;
using Ouinet.Injector;
using Ouinet.Protocol.Keys;
using Ouinet.Testing.Origins;

// End-to-end injector benchmark, everything on loopback in one run (see bench/results/injector.md):
//  1. a 256 MiB body fetched directly from a Kestrel origin vs. injected (signed) through the injector;
//  2. small-object requests/s through the injector as a plain proxy vs. through Debian's squid, load from wrk.
// Usage: Ouinet.Injector.Bench OUTPUT.md [seconds per wrk run]
var output = args.Length > 0 ? args[0] : "injector.md";
var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
const long BigBody = 256L << 20;
const int Rounds = 3;

using var authority = new TestCertificateAuthority();
await using var origin = await TestOrigin.StartAsync(authority, CancellationToken.None);
using var key = InjectorPrivateKey.Generate();
await using var injector = new InjectorServer(new InjectorOptions
{
    SigningKey = key,
    TcpEndpoints = [new IPEndPoint(IPAddress.Loopback, 0)],
    AllowPrivateTargets = true,
});
var injectorEndpoint = (await injector.StartAsync()).Single().EndPoint;
Console.WriteLine($"origin {origin.HttpEndPoint}, injector {injectorEndpoint}");

// Warm both paths (JIT, pools), then alternate rounds so that neither gets a quieter machine.
await FetchAsync(origin.HttpEndPoint, $"GET /bytes/{BigBody / 16} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
await FetchAsync(injectorEndpoint, Injection(origin.HttpUrl($"/bytes/{BigBody / 16}")));
var direct = new List<double>();
var injected = new List<double>();
for (var round = 0; round < Rounds; round++)
{
    direct.Add(await FetchAsync(origin.HttpEndPoint, $"GET /bytes/{BigBody} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    injected.Add(await FetchAsync(injectorEndpoint, Injection(origin.HttpUrl($"/bytes/{BigBody}"))));
    Console.WriteLine($"round {round}: direct {direct[^1]:F0} MB/s, injected {injected[^1]:F0} MB/s");
}
var directMedian = Median(direct);
var injectedMedian = Median(injected);

// The CPU ceilings of injection on this machine, no network: SHA-512 alone over the body (the block hash, on the
// critical path), and the whole signer (SHA-512 + Ed25519 per block, SHA-256 digest on the other core) into a null pipe.
var sha512 = Ceiling(BigBody, buffer => System.Security.Cryptography.SHA512.HashData(buffer));
var signer = await SignerCeilingAsync(key, BigBody);
Console.WriteLine($"ceilings: SHA-512 {sha512:F0} MB/s, signer {signer:F0} MB/s");

// Small objects: wrk against the injector and against squid, the same proxy-form request to the same origin page.
string? squidNote = null;
double? injectorRps = null, squidRps = null;
var wrk = Which("wrk");
var squidBinary = Which("squid") ?? (File.Exists("/usr/sbin/squid") ? "/usr/sbin/squid" : null);
if (wrk is null || squidBinary is null)
{
    squidNote = "wrk or squid is not installed (bench/run.sh installs them with apt).";
}
else
{
    var script = Path.Combine(Path.GetTempPath(), $"ouinet-bench-{Environment.ProcessId}.lua");
    File.WriteAllText(script, $"wrk.path = \"{origin.HttpUrl("/hello")}\"\nwrk.headers[\"Host\"] = \"127.0.0.1:{origin.HttpEndPoint.Port}\"\n");
    await RunWrkAsync(wrk, script, injectorEndpoint, 3);  // warm-up
    injectorRps = await RunWrkAsync(wrk, script, injectorEndpoint, seconds);
    await using (var squid = await Squid.StartAsync(squidBinary))
    {
        await RunWrkAsync(wrk, script, squid.EndPoint, 3);
        squidRps = await RunWrkAsync(wrk, script, squid.EndPoint, seconds);
        squidNote = squid.Version;
    }
    File.Delete(script);
}

var text = new StringBuilder();
text.AppendLine("# Injector: end-to-end throughput on loopback");
text.AppendLine();
text.AppendLine(CultureInfo.InvariantCulture, $"Rerun with `bench/run.sh injector` (console harness `bench/Ouinet.Injector.Bench`). Generated {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, .NET {Environment.Version}.");
text.AppendLine("Origin (Kestrel), injector and load generator share the machine, in one run.");
text.AppendLine();
text.AppendLine("## 256 MiB body: injected (signed stream) vs. fetched directly from the origin");
text.AppendLine();
text.AppendLine("| path | MB/s per round | median MB/s | vs. direct | target |");
text.AppendLine("|---|---|---:|---:|---|");
text.AppendLine(CultureInfo.InvariantCulture, $"| direct from the origin | {string.Join(", ", direct.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))} | {directMedian:F0} | 1.00 | |");
text.AppendLine(CultureInfo.InvariantCulture, $"| through the injector (signed, 64 KiB blocks) | {string.Join(", ", injected.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))} | {injectedMedian:F0} | {injectedMedian / directMedian:F2} | ≥ 0.60 {(injectedMedian / directMedian >= 0.6 ? "met" : "**missed**")} |");
text.AppendLine(CultureInfo.InvariantCulture, $"| ceiling: the signer alone, no network (`ResponseSigner` into a null pipe) | | {signer:F0} | {signer / directMedian:F2} | |");
text.AppendLine(CultureInfo.InvariantCulture, $"| ceiling: SHA-512 alone over the body (one core) | | {sha512:F0} | {sha512 / directMedian:F2} | |");
text.AppendLine();
text.AppendLine("The client reads each body to its end with our HTTP codec (chunk framing parsed, bytes discarded; the injected");
text.AppendLine("stream is not verified here: that is the client's cost, see `protocol.md`).");
text.AppendLine();
text.AppendLine(CultureInfo.InvariantCulture, $"**Why the 0.6× target is missed.** A direct fetch is memory copies (kernel loopback and the codec) and runs at");
text.AppendLine(CultureInfo.InvariantCulture, $"{directMedian:F0} MB/s here. Injection must hash every byte twice (SHA-512 per block for the chain, SHA-256 for `Digest`)");
text.AppendLine(CultureInfo.InvariantCulture, $"and sign each 64 KiB block: the signer alone, with no network at all, tops out at {signer:F0} MB/s on these 2 cores");
text.AppendLine(CultureInfo.InvariantCulture, $"({signer / directMedian:F2}× direct), and SHA-512 alone at {sha512:F0} MB/s. End to end the injector also shares the cores with the");
text.AppendLine("origin and the client and adds a second loopback hop, hence the gap below the signer's ceiling. 0.6× direct is about");
text.AppendLine("what SHA-512 alone reaches on one core, with nothing else to do: out of reach once SHA-256, Ed25519, two socket");
text.AppendLine("hops and the origin share the same 2 cores. The body is streamed (block 0 leaves before the origin finishes)");
text.AppendLine("and memory stays flat, so the limit is CPU, not buffering. More cores would help: the per-block SHA-512 and the");
text.AppendLine("SHA-256 already run on different cores; overlapping block i+1's hash with block i's signing and send is next.");
text.AppendLine();
text.AppendLine("## Small objects (12-byte page) as a plain proxy: requests/s, injector vs. squid");
text.AppendLine();
if (injectorRps is { } i && squidRps is { } s)
{
    text.AppendLine(CultureInfo.InvariantCulture, $"`wrk -t2 -c32 -d{seconds}s`, proxy-form `GET http://127.0.0.1:PORT/hello`, keep-alive on both sides.");
    text.AppendLine();
    text.AppendLine("| proxy | requests/s | vs. squid | target |");
    text.AppendLine("|---|---:|---:|---|");
    text.AppendLine(CultureInfo.InvariantCulture, $"| squid ({squidNote}, no cache) | {s:F0} | 1.00 | |");
    text.AppendLine(CultureInfo.InvariantCulture, $"| injector, plain proxy | {i:F0} | {i / s:F2} | ≥ 1.00 {(i >= s ? "met" : "**missed**")} |");
}
else
{
    text.AppendLine($"Not measured: {squidNote}");
}
File.WriteAllText(output, text.ToString());
Console.WriteLine(text);
await injector.StopAsync(TimeSpan.Zero);
return 0;

static double Ceiling(long size, Action<byte[]> hash)
{
    var block = new byte[64 * 1024];
    PatternBody.Fill(block, 0);
    var watch = Stopwatch.StartNew();
    for (long done = 0; done < size; done += block.Length)
    {
        hash(block);
    }
    return size / watch.Elapsed.TotalSeconds / 1e6;
}

static async Task<double> SignerCeilingAsync(InjectorPrivateKey key, long size)
{
    var head = new HttpResponseHead(200);
    head.Fields.Add("Content-Type", "application/octet-stream");
    var options = new Ouinet.Protocol.Streams.ResponseSigningOptions
    {
        Uri = "https://example.com/big",
        Injection = new Ouinet.Protocol.Headers.InjectionHeader("bench", 0),
    };
    var sink = System.IO.Pipelines.PipeWriter.Create(Stream.Null);
    var watch = Stopwatch.StartNew();
    await Ouinet.Protocol.Streams.ResponseSigner.SignAsync(head, new PatternStream(size), key, options, sink);
    return size / watch.Elapsed.TotalSeconds / 1e6;
}

static string Injection(string uri) => $"GET {uri} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Ouinet-Version: 6\r\n\r\n";

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

// One request on a fresh connection; returns body MB/s (10^6 bytes) from the request to the body's end.
static async Task<double> FetchAsync(IPEndPoint endpoint, string request)
{
    using var tcp = new TcpClient { NoDelay = true, ReceiveBufferSize = 1 << 20 };
    await tcp.ConnectAsync(endpoint);
    var stream = tcp.GetStream();
    var watch = Stopwatch.StartNew();
    await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
    await using var reader = new HttpMessageReader(System.IO.Pipelines.PipeReader.Create(stream, new System.IO.Pipelines.StreamPipeReaderOptions(bufferSize: 256 * 1024, minimumReadSize: 64 * 1024, leaveOpen: true)));
    var head = await reader.ReadResponseHeadAsync();
    var body = reader.ReadResponseBody(head, "GET");
    long bytes = 0;
    while (true)
    {
        var part = await body.ReadAsync();
        if (part.Kind == HttpBodyPartKind.End)
        {
            break;
        }
        bytes += part.Data.Length;
    }
    watch.Stop();
    return bytes / watch.Elapsed.TotalSeconds / 1e6;
}

static async Task<double> RunWrkAsync(string wrk, string script, IPEndPoint proxy, int seconds)
{
    var info = new ProcessStartInfo(wrk, ["-t2", "-c32", $"-d{seconds}s", "-s", script, $"http://{proxy}/"]) { RedirectStandardOutput = true };
    using var process = Process.Start(info)!;
    var text = await process.StandardOutput.ReadToEndAsync();
    await process.WaitForExitAsync();
    var match = Regex.Match(text, @"Requests/sec:\s+([0-9.]+)");
    var errors = Regex.Match(text, @"Non-2xx or 3xx responses: (\d+)");
    if (!match.Success || errors.Success)
    {
        throw new InvalidOperationException($"wrk against {proxy} failed:\n{text}");
    }
    Console.WriteLine($"wrk {proxy}: {match.Groups[1].Value} requests/s");
    return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
}

static string? Which(string name) =>
    (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

/// <summary>A generated body of a given size, read-only (the pattern of <see cref="PatternBody"/>).</summary>
internal sealed class PatternStream(long length) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = (int)Math.Min(buffer.Length, length - _position);
        PatternBody.Fill(buffer[..n], _position);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>Debian's squid on a free loopback port with a minimal config: localhost only, no cache, no logs.</summary>
internal sealed class Squid : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;

    private Squid(Process process, string dir, IPEndPoint endPoint, string version)
    {
        _process = process;
        _dir = dir;
        EndPoint = endPoint;
        Version = version;
    }

    public IPEndPoint EndPoint { get; }

    public string Version { get; }

    public static async Task<Squid> StartAsync(string binary)
    {
        var dir = Directory.CreateTempSubdirectory("ouinet-bench-squid").FullName;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(dir, (UnixFileMode)0x1ff);
        }
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var config = Path.Combine(dir, "squid.conf");
        File.WriteAllText(config, $"""
            http_port 127.0.0.1:{port}
            http_access allow localhost
            http_access deny all
            cache deny all
            cache_mem 8 MB
            access_log none
            cache_store_log none
            cache_log {dir}/cache.log
            pid_filename {dir}/squid.pid
            coredump_dir {dir}
            shutdown_lifetime 0 seconds
            via off
            forwarded_for delete
            """);
        var versionInfo = new ProcessStartInfo(binary, ["-v"]) { RedirectStandardOutput = true };
        using (var v = Process.Start(versionInfo)!)
        {
            var first = (await v.StandardOutput.ReadLineAsync() ?? "squid").Trim();
            await v.WaitForExitAsync();
            versionInfo = null;
            var m = Regex.Match(first, @"Version (\S+)");
            first = m.Success ? $"squid {m.Groups[1].Value}" : first;
            var process = Process.Start(new ProcessStartInfo(binary, ["-N", "-f", config]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            var endpoint = new IPEndPoint(IPAddress.Loopback, port);
            for (var i = 0; i < 100; i++)
            {
                try
                {
                    using var c = new TcpClient();
                    await c.ConnectAsync(endpoint);
                    return new Squid(process, dir, endpoint, first);
                }
                catch (SocketException)
                {
                    await Task.Delay(100);
                }
            }
            process.Kill();
            throw new InvalidOperationException($"squid did not start: {File.ReadAllText(Path.Combine(dir, "cache.log"))}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
