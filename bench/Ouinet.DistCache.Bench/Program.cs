// Distributed-cache benchmark: an entry fetched from 1 and from 3 peers (over the DHT and uTP, loopback) vs the same
// entry from the fetching client's local cache, 1 MiB and 64 MiB, side by side in one run.
//  1. A Kestrel origin serves random bodies (max-age one day) under per-run URLs; an in-process injector signs them.
//  2. A private DHT: one `ouinet dht serve` process on 127.0.0.1. Seeders S1, S2, S3 and the fetcher B are
//     `ouinet client` processes (Release) in it. S1 gets every entry through the injector; S2 and S3 (origin, injector
//     and proxy disabled) get the "3 peers" entries from the DHT, so the three hold the same injection.
//  3. B (origin, injector and proxy disabled) asks for each entry once through its proxy (dist-cache), then again
//     (local-cache). Each URL is fetched by B once only: a B that announced an entry never competes with the seeders.
//     Runs interleave the four configurations (rotated order each run).
// Usage: Ouinet.DistCache.Bench OUTPUT.md [runs]   (OUINET_BENCH_LOGS=DIR keeps the processes' output, OUINET_BENCH_LOG_LEVEL=DEBUG makes it say more)
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ouinet.Injector;
using Ouinet.Injector.Origin;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

var output = args.Length > 0 ? args[0] : "bench/results/dist-cache.md";
var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 9;
var started = Stopwatch.StartNew();
var root = RepositoryRoot();
var cli = Path.Combine(root, "src", "Ouinet.Cli", "bin", "Release", "net10.0", "ouinet.dll");
if (!File.Exists(cli))
{
    throw new InvalidOperationException($"Build src/Ouinet.Cli in Release first: {cli} is missing.");
}
var work = Directory.CreateTempSubdirectory("ouinet-distcache-bench").FullName;
var nodes = new List<Node>();
// OUINET_BENCH_LOGS=DIR keeps each process's output (DIR/NAME.log) for a look afterwards.
var logs = Environment.GetEnvironmentVariable("OUINET_BENCH_LOGS");
void Cleanup()
{
    foreach (var node in nodes)
    {
        node.Kill();
        if (!string.IsNullOrEmpty(logs))
        {
            Directory.CreateDirectory(logs);
            File.WriteAllText(Path.Combine(logs, node.Name + ".log"), node.Output);
        }
    }
    nodes.Clear();
    try
    {
        Directory.Delete(work, recursive: true);
    }
    catch (IOException)
    {
    }
}
AppDomain.CurrentDomain.ProcessExit += (_, _) => Cleanup();
AppDomain.CurrentDomain.UnhandledException += (_, _) => Cleanup();
Console.CancelKeyPress += (_, _) => Cleanup();

const int MiB = 1024 * 1024;
int[] sizes = [MiB, 64 * MiB];
var bodies = sizes.ToDictionary(s => s, s =>
{
    var bytes = new byte[s];
    new Random(s).NextBytes(bytes);
    return bytes;
});
var digests = bodies.ToDictionary(p => p.Key, p => SHA256.HashData(p.Value));

// Origin: /SIZE/TAG, SIZE in bytes, the same random body for every TAG of a size.
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
var app = builder.Build();
app.MapGet("/{size:int}/{tag}", (HttpContext context, int size, string tag) =>
{
    if (!bodies.TryGetValue(size, out var body))
    {
        return Results.NotFound();
    }
    context.Response.Headers.CacheControl = "max-age=86400";
    return Results.Bytes(body, "application/octet-stream");
});
await app.StartAsync();
var originPort = new Uri(app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
    .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First()).Port;
string Url(int size, string tag) => $"http://bench.test:{originPort}/{size}/{tag}";

var injectorRepository = new InjectorRepository(Path.Combine(work, "injector"));
using var key = injectorRepository.LoadOrCreateSigningKey();
await using var injector = new InjectorServer(new InjectorOptions
{
    SigningKey = key,
    TcpEndpoints = [new IPEndPoint(IPAddress.Loopback, 0)],
    AllowPrivateTargets = true,
    OriginResolver = new BenchResolver(),
});
var injectorEndpoint = (await injector.StartAsync())[0].EndPoint;
Console.WriteLine($"origin on port {originPort}, injector on {injectorEndpoint}");

// The private DHT.
int dhtPort;
using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
{
    probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    dhtPort = ((IPEndPoint)probe.LocalEndPoint!).Port;
}
var dht = Node.Start(cli, "dht", ["dht", "serve", "--listen", $"127.0.0.1:{dhtPort}", "--timeout", "3600"]);
nodes.Add(dht);
await dht.WaitForOutputAsync("\"listening\"", TimeSpan.FromSeconds(30));
string[] dhtArgs = ["--cache-type", "bep5-http", "--udp-mux-address", "127.0.0.1", "--udp-mux-port", "0",
    "--bt-bootstrap-extra", $"127.0.0.1:{dhtPort}", "--bt-bootstrap-no-default", "--bt-allow-martians"];
string[] blocked = ["--disable-origin-access", "--disable-injector-access", "--disable-proxy-access"];
async Task<Node> StartClientAsync(string name, string[] extra)
{
    var repo = Path.Combine(work, name);
    Directory.CreateDirectory(repo);
    var node = Node.Start(cli, name, ["client", "--repo", repo, "--listen-on-tcp", "127.0.0.1:0", "--front-end-ep", "127.0.0.1:0",
        "--injector-ep", $"tcp:{injectorEndpoint}", "--cache-http-public-key", key.PublicKey.ToHex(), "--allow-private-targets",
        .. dhtArgs, .. extra, "--log-level", Environment.GetEnvironmentVariable("OUINET_BENCH_LOG_LEVEL") is { Length: > 0 } level ? level : "INFO"]);
    nodes.Add(node);
    await node.ReadProxyAsync(Path.Combine(repo, "endpoints.json"));
    return node;
}

var s1 = await StartClientAsync("s1", ["--disable-origin-access"]);
var s2 = await StartClientAsync("s2", blocked);
var s3 = await StartClientAsync("s3", blocked);
var configurations = new List<(int Size, int Peers)>();
foreach (var size in sizes)
{
    foreach (var peers in new[] { 1, 3 })
    {
        configurations.Add((size, peers));
    }
}
string Tag(int peers, int run) => $"{peers}p-r{run}";

// Seeding: S1 through the injector (and a warm-up entry), then S2 and S3 from the DHT for the "3 peers" URLs.
var warmUp = Url(MiB, "warm-up");
using (var http = Proxied(s1.Proxy))
{
    foreach (var url in configurations.SelectMany(c => Enumerable.Range(0, runs).Select(r => Url(c.Size, Tag(c.Peers, r)))).Prepend(warmUp))
    {
        var fetch = await FetchAsync(http, url);
        if (fetch.Source != "injector" || fetch.Status != 200)
        {
            throw new InvalidOperationException($"S1 populating {url}: {fetch.Status} from {fetch.Source}\n{s1.Output}");
        }
    }
}
var sharedUrls = configurations.Where(c => c.Peers == 3).SelectMany(c => Enumerable.Range(0, runs).Select(r => Url(c.Size, Tag(3, r)))).ToList();
foreach (var url in sharedUrls)
{
    await s1.WaitForOutputAsync("Announced group " + url + " ", TimeSpan.FromSeconds(90));
}
Console.WriteLine($"S1 seeded ({started.Elapsed.TotalSeconds:0} s)");
foreach (var seeder in new[] { s2, s3 })
{
    using var http = Proxied(seeder.Proxy);
    foreach (var url in sharedUrls)
    {
        await FetchFromPeersAsync(http, url, seeder);
    }
}
foreach (var url in sharedUrls)
{
    await s2.WaitForOutputAsync("Announced group " + url + " ", TimeSpan.FromSeconds(90));
    await s3.WaitForOutputAsync("Announced group " + url + " ", TimeSpan.FromSeconds(90));
}
Console.WriteLine($"S2, S3 seeded ({started.Elapsed.TotalSeconds:0} s)");

// The fetcher.
var b = await StartClientAsync("b", blocked);
var samples = new List<Sample>();
var failures = new List<string>();
using (var http = Proxied(b.Proxy))
{
    await FetchFromPeersAsync(http, warmUp, b);   // B's DHT is up and its code warm
    for (var run = 0; run < runs; run++)
    {
        for (var i = 0; i < configurations.Count; i++)
        {
            var (size, peers) = configurations[(i + run) % configurations.Count];
            var url = Url(size, Tag(peers, run));
            var rangesBefore = Regex.Count(b.Output, "Fetched an entry by ranges");
            var wholeBefore = Regex.Count(b.Output, "Fetched an entry from peer");
            var droppedBefore = Regex.Count(b.Output, "dropped from the range fetch");
            var logBefore = b.Output.Length;
            var remote = await TryFetchAsync(http, url);
            var tries = 1;
            while (remote.Status != 200 && tries < 3)
            {
                // A body cut short (no peer left for a segment) or an error: recorded, then the URL asked again.
                await Task.Delay(500);
                var log = string.Join(" / ", b.Output[logBefore..].Split('\n').Where(l => l.Contains("Peer", StringComparison.Ordinal) || l.Contains("range", StringComparison.OrdinalIgnoreCase)).Select(l => l.Trim()).Take(6));
                failures.Add($"run {run}, {size / MiB} MiB from {peers} peer(s), try {tries}: {(remote.Status < 0 ? "" : $"{remote.Status} ")}{remote.Source}; B's log: {(log.Length > 0 ? log : "nothing about peers")}");
                Console.WriteLine("  " + failures[^1]);
                logBefore = b.Output.Length;
                remote = await TryFetchAsync(http, url);
                tries++;
            }
            if (remote.Status != 200)
            {
                failures.Add($"run {run}, {size / MiB} MiB from {peers} peer(s), try {tries}: {remote.Status} {remote.Source}; given up, no sample");
                Console.WriteLine("  " + failures[^1]);
                continue;
            }
            CheckBody(remote, size, digests[size], "dist-cache", url, b);
            await Task.Delay(200);  // the log line follows the last byte
            // Up to 4 MiB: one peer gives the whole entry ("Fetched an entry from peer"); larger: by ranges.
            var used = Regex.Count(b.Output, "Fetched an entry from peer") > wholeBefore ? "1" : "?";
            if (size > 4 * MiB)
            {
                var lines = Regex.Matches(b.Output, @"Fetched an entry by ranges \(\d+ bytes, (\d+) ranges from (\d+) peers");
                used = lines.Count > rangesBefore ? lines[^1].Groups[2].Value : "?";
                // Peers dropped from the range fetch: as slow (two slow ranges in a row), or for breaking off / going silent.
                var dropped = Regex.Matches(b.Output, @"dropped from the range fetch(?<slow> as slow)?").Skip(droppedBefore).Select(m => m.Groups["slow"].Success ? "slow" : "failed").ToList();
                if (dropped.Count > 0)
                {
                    used += $" (−{dropped.Count}: {string.Join("/", dropped)})";
                }
            }
            var local = await FetchAsync(http, url);
            CheckBody(local, size, digests[size], "local-cache", url, b);
            samples.Add(new Sample(size, peers, run, remote, local, used, tries));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"run {run} {size / MiB} MiB from {peers} peer(s) (used {used}): TTFB {remote.Ttfb.TotalMilliseconds:0} ms, total {remote.Total.TotalMilliseconds:0} ms; local TTFB {local.Ttfb.TotalMilliseconds:0.0} ms, total {local.Total.TotalMilliseconds:0.0} ms"));
        }
    }
}
var load = File.ReadAllText("/proc/loadavg").Split(' ')[..3];
var elapsed = started.Elapsed;
await injector.StopAsync(TimeSpan.FromSeconds(1));
await app.StopAsync();
Cleanup();

double Mibps(int size, TimeSpan t) => size / (double)MiB / t.TotalSeconds;
var text = new StringBuilder();
text.AppendLine("# Distributed cache: an entry from 1 and 3 peers vs the local cache");
text.AppendLine();
text.AppendLine(CultureInfo.InvariantCulture, $"Rerun with `bench/run.sh dist-cache` (console harness `bench/Ouinet.DistCache.Bench`). Generated {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}, {runs} runs, whole run {elapsed.TotalSeconds:0} s.");
text.AppendLine(CultureInfo.InvariantCulture, $"Load average at the end of the runs (1, 5, 15 min): {string.Join(", ", load)} — other work shares these cores: compare within this table, not across runs.");
text.AppendLine();
text.AppendLine("Setup, all on 127.0.0.1, Release builds: a private DHT (`ouinet dht serve`), a Kestrel origin and an in-process injector;");
text.AppendLine("seeders S1–S3 and the fetcher B are `ouinet client` processes (`cache-type bep5-http`, UDP on loopback). S1 got every entry");
text.AppendLine("through the injector; S2 and S3 got the \"3 peers\" entries from the DHT (same injection as S1). B has origin, injector and");
text.AppendLine("proxy access disabled: its first GET through its proxy is answered by the distributed cache (DHT lookup, uTP, verification,");
text.AppendLine("storing), its second GET of the same URL by its local cache. Each entry has its own URL per run, so B never asks for an");
text.AppendLine("entry it announced itself. Runs interleave the four configurations (rotated order). `HttpClient`, `ResponseHeadersRead`:");
text.AppendLine("TTFB is the time to the response headers, total the time to the last byte (every body checked against the origin's by SHA-256).");
text.AppendLine("Median of the runs, (min–max) after it.");
text.AppendLine();
text.AppendLine("| entry | source | peers used, each run (− dropped: why) | TTFB ms | total ms | MiB/s |");
text.AppendLine("|---|---|---:|---:|---:|---:|");
string Stat(IEnumerable<double> values, string format)
{
    var v = values.Order().ToArray();
    if (v.Length == 0)
    {
        return "–";
    }
    var median = v.Length % 2 == 1 ? v[v.Length / 2] : (v[(v.Length / 2) - 1] + v[v.Length / 2]) / 2;
    return string.Create(CultureInfo.InvariantCulture, $"{median.ToString(format, CultureInfo.InvariantCulture)} ({v[0].ToString(format, CultureInfo.InvariantCulture)}–{v[^1].ToString(format, CultureInfo.InvariantCulture)})");
}
foreach (var size in sizes)
{
    foreach (var peers in new[] { 1, 3 })
    {
        var rows = samples.Where(s => s.Size == size && s.Peers == peers).ToList();
        text.AppendLine(CultureInfo.InvariantCulture, $"| {size / MiB} MiB | {peers} peer{(peers > 1 ? "s" : "")} (dist-cache) | {string.Join(", ", rows.Select(r => r.Used))} | {Stat(rows.Select(r => r.Remote.Ttfb.TotalMilliseconds), "0")} | {Stat(rows.Select(r => r.Remote.Total.TotalMilliseconds), "0")} | {Stat(rows.Select(r => Mibps(size, r.Remote.Total)), "0.0")} |");
    }
    var locals = samples.Where(s => s.Size == size).ToList();
    text.AppendLine(CultureInfo.InvariantCulture, $"| {size / MiB} MiB | local cache (B, after each fetch) | – | {Stat(locals.Select(r => r.Local.Ttfb.TotalMilliseconds), "0.0")} | {Stat(locals.Select(r => r.Local.Total.TotalMilliseconds), "0.0")} | {Stat(locals.Select(r => Mibps(size, r.Local.Total)), "0")} |");
}
text.AppendLine();
text.AppendLine("Runs (dist-cache TTFB / total ms): " + string.Join("; ", samples.Select(s => string.Create(CultureInfo.InvariantCulture,
    $"r{s.Run} {s.Size / MiB} MiB {s.Peers}p {s.Remote.Ttfb.TotalMilliseconds:0}/{s.Remote.Total.TotalMilliseconds:0}{(s.Tries > 1 ? $" (try {s.Tries})" : "")}"))) + ".");
text.AppendLine();
text.AppendLine(failures.Count == 0 ? "Failed fetches: none." : "Failed fetches (each asked again, up to 3 tries; a row's figures are from the try that succeeded, if any):");
foreach (var failure in failures)
{
    text.AppendLine("* " + failure);
}
text.AppendLine();
var reading = Path.Combine(root, "bench", "Ouinet.DistCache.Bench", "reading.md");
if (File.Exists(reading))
{
    text.Append(File.ReadAllText(reading));
}
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
File.WriteAllText(output, text.ToString());
Console.Write(text);
return 0;

static void CheckBody(Fetch fetch, int size, byte[] digest, string source, string url, Node b)
{
    if (fetch.Status != 200 || fetch.Source != source || fetch.Length != size || !fetch.Digest.AsSpan().SequenceEqual(digest))
    {
        throw new InvalidOperationException($"B {url}: {fetch.Status} from {fetch.Source}, {fetch.Length} bytes (wanted {size} from {source})\n{b.Output}");
    }
}

static async Task<Fetch> TryFetchAsync(HttpClient http, string url)
{
    var clock = Stopwatch.StartNew();
    try
    {
        return await FetchAsync(http, url);
    }
    catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
    {
        return new Fetch(-1, $"failed after {clock.Elapsed.TotalMilliseconds:0} ms: {e.GetType().Name}: {e.Message}", clock.Elapsed, clock.Elapsed, 0, []);
    }
}

static async Task<Fetch> FetchAsync(HttpClient http, string url)
{
    var clock = Stopwatch.StartNew();
    using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
    var ttfb = clock.Elapsed;
    using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    var buffer = new byte[256 * 1024];
    long length = 0;
    await using (var body = await response.Content.ReadAsStreamAsync())
    {
        int n;
        while ((n = await body.ReadAsync(buffer)) > 0)
        {
            length += n;
            hash.AppendData(buffer, 0, n);
        }
    }
    var total = clock.Elapsed;
    var source = response.Headers.TryGetValues("X-Ouinet-Source", out var v) ? v.First() : "?";
    return new Fetch((int)response.StatusCode, source, ttfb, total, length, hash.GetHashAndReset());
}

// A seeder's first fetch of an entry from the DHT: asked until a peer has it (announces may still be on their way).
static async Task FetchFromPeersAsync(HttpClient http, string url, Node node)
{
    var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
    while (DateTime.UtcNow < deadline)
    {
        var fetch = await FetchAsync(http, url);
        if (fetch.Status == 200 && fetch.Source == "dist-cache")
        {
            return;
        }
        await Task.Delay(1000);
    }
    throw new InvalidOperationException($"{node.Name}: {url} never came from a peer\n{node.Output}");
}

static HttpClient Proxied(IPEndPoint proxy) =>
    new(new SocketsHttpHandler { Proxy = new FixedProxy(new Uri($"http://{proxy}")), UseProxy = true, UseCookies = false })
    {
        Timeout = TimeSpan.FromSeconds(120),
    };

static string RepositoryRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Ouinet.slnx")))
        {
            return dir.FullName;
        }
    }
    throw new InvalidOperationException("No Ouinet.slnx above the benchmark.");
}

internal sealed record Fetch(int Status, string Source, TimeSpan Ttfb, TimeSpan Total, long Length, byte[] Digest);

internal sealed record Sample(int Size, int Peers, int Run, Fetch Remote, Fetch Local, string Used, int Tries);

internal sealed class BenchResolver : IOriginResolver
{
    public ValueTask<IReadOnlyList<IPEndPoint>> ResolveAsync(string host, int port, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<IPEndPoint>>([new IPEndPoint(IPAddress.Loopback, port)]);
}

/// <summary>A proxy that is never bypassed (WebProxy bypasses loopback targets).</summary>
internal sealed class FixedProxy(Uri proxy) : IWebProxy
{
    public ICredentials? Credentials { get; set; }

    public Uri GetProxy(Uri destination) => proxy;

    public bool IsBypassed(Uri host) => false;
}

/// <summary>An <c>ouinet</c> process (<c>dotnet ouinet.dll ARGS</c>), its output collected, killed at the end.</summary>
internal sealed class Node
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private Node(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public IPEndPoint Proxy { get; private set; } = null!;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static Node Start(string cli, string name, string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(cli);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = new Process { StartInfo = info };
        var node = new Node(name, process);
        process.OutputDataReceived += (_, e) => node.Append(e.Data);
        process.ErrorDataReceived += (_, e) => node.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                throw new InvalidOperationException($"{Name}: no \"{text}\" in its output:\n{Output}");
            }
            await Task.Delay(100);
        }
    }

    public async Task ReadProxyAsync(string endpointsFile)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"{Name} did not start:\n{Output}");
            }
            try
            {
                using var json = JsonDocument.Parse(await File.ReadAllTextAsync(endpointsFile));
                Proxy = IPEndPoint.Parse(json.RootElement.GetProperty("proxy_endpoint").GetString()!);
                return;
            }
            catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException)
            {
                await Task.Delay(100);
            }
        }
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
