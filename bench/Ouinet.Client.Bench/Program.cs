// Client benchmark: cache hits through `ouinet client` (its own process) vs nginx serving the same files, same run.
//  1. Two objects (10 KiB, 1 MiB) are written to a folder; nginx (Debian) serves that folder on a loopback port.
//  2. A Kestrel origin serves the same files (max-age one day); an in-process injector signs them; the client process
//     (origin access disabled, so every answer is injected or cached) fetches each once: fresh entries in its store.
//  3. wrk asks the client for the objects (proxy-form requests through a Lua script) and nginx for the same files.
//  4. The client's RSS (/proc) is read idle and at its peak under 200 connections.
// Usage: Ouinet.Client.Bench OUTPUT.md [seconds per wrk run]
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
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

var output = args.Length > 0 ? args[0] : "bench/results/client.md";
var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
var root = TestPathsRoot();
var cli = Path.Combine(root, "src", "Ouinet.Cli", "bin", "Release", "net10.0", "ouinet.dll");
var wrk = Which("wrk") ?? throw new InvalidOperationException("wrk is not installed (bench/run.sh installs it).");
var nginxBinary = Which("nginx") ?? (File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : throw new InvalidOperationException("nginx is not installed (bench/run.sh installs it)."));

using var work = new TempDir();
var files = Path.Combine(work.Path, "files");
Directory.CreateDirectory(files);
// nginx's workers run as another user: let them into the folder.
File.SetUnixFileMode(work.Path, (UnixFileMode)0b111_101_101);
File.SetUnixFileMode(files, (UnixFileMode)0b111_101_101);
var objects = new (string Name, int Size)[] { ("obj10k", 10 * 1024), ("obj1m", 1024 * 1024) };
foreach (var (name, size) in objects)
{
    var bytes = new byte[size];
    new Random(size).NextBytes(bytes);
    File.WriteAllBytes(Path.Combine(files, name), bytes);
    File.SetUnixFileMode(Path.Combine(files, name), (UnixFileMode)0b110_100_100);
}

// Origin + injector (in-process), for populating the client's store only.
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
var app = builder.Build();
app.MapGet("/{name}", (HttpContext context, string name) =>
{
    var path = Path.Combine(files, Path.GetFileName(name));
    if (!File.Exists(path))
    {
        return Results.NotFound();
    }
    context.Response.Headers.CacheControl = "max-age=86400";
    return Results.File(path, "application/octet-stream");
});
await app.StartAsync();
var originPort = new Uri(app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
    .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First()).Port;
Console.WriteLine($"origin on port {originPort}");
using var injectorRepo = new TempDir();
var injectorRepository = new InjectorRepository(injectorRepo.Path);
using var key = injectorRepository.LoadOrCreateSigningKey();
await using var injector = new InjectorServer(new InjectorOptions
{
    SigningKey = key,
    TcpEndpoints = [new IPEndPoint(IPAddress.Loopback, 0)],
    AllowPrivateTargets = true,
    OriginResolver = new BenchResolver(),
});
var injectorEndpoint = (await injector.StartAsync())[0].EndPoint;

// The client, as `ouinet client`.
var clientRepo = Path.Combine(work.Path, "client");
var client = StartClient(cli, clientRepo, injectorEndpoint, key.PublicKey.ToHex());
AppDomain.CurrentDomain.UnhandledException += (_, _) => KillQuietly(client);
AppDomain.CurrentDomain.ProcessExit += (_, _) => KillQuietly(client);
var proxy = await ReadProxyEndpointAsync(clientRepo, client);
string Url(string name) => $"http://bench.test:{originPort}/{name}";
using (var http = new HttpClient(new HttpClientHandler { Proxy = new WebProxy($"http://{proxy}"), UseProxy = true }) { Timeout = TimeSpan.FromSeconds(20) })
{
    foreach (var (name, size) in objects)
    {
        using var response = await http.GetAsync(Url(name));
        var body = await response.Content.ReadAsByteArrayAsync();
        var source = response.Headers.TryGetValues("X-Ouinet-Source", out var v) ? v.First() : "?";
        if (body.Length != size || source != "injector")
        {
            throw new InvalidOperationException($"Populating {name}: {(int)response.StatusCode}, {body.Length} bytes from {source}");
        }
        using var again = await http.GetAsync(Url(name));
        if (!again.Headers.TryGetValues("X-Ouinet-Source", out var w) || w.First() != "local-cache")
        {
            throw new InvalidOperationException($"{name} is not served from the local cache");
        }
    }
}
await injector.StopAsync(TimeSpan.FromSeconds(1));
await app.StopAsync();

await using var nginx = await Nginx.StartAsync(nginxBinary, files, work.Path);
Console.WriteLine($"nginx {nginx.Version} on {nginx.EndPoint}, client on {proxy} (pid {client.Id})");
await Task.Delay(1000);
GC.Collect();
var idleRss = Rss(client.Id);

// Rounds alternate nginx and the client so that load from elsewhere on the machine hits both alike; the table gives
// the median and the best round of each.
const int Rounds = 3;
var loadBefore = File.ReadAllText("/proc/loadavg").Split(' ')[0];
// CPU time per request (the server's processes only, from /proc) is the steadier figure: req/s moves with whatever
// else runs on the machine, the work a request costs much less.
var rows = new List<(string Name, int Size, double[] Nginx, double[] Client, double[] NginxCpu, double[] ClientCpu)>();
foreach (var (name, size) in objects)
{
    var script = Path.Combine(work.Path, $"{name}.lua");
    File.WriteAllText(script, $"wrk.path = \"{Url(name)}\"\nwrk.headers[\"Host\"] = \"bench.test:{originPort}\"\n");
    await RunWrkAsync(wrk, script, $"http://{proxy}/", 3, 50);      // warm-up
    await RunWrkAsync(wrk, null, $"http://{nginx.EndPoint}/{name}", 3, 50);
    var nginxRounds = new double[Rounds];
    var clientRounds = new double[Rounds];
    var nginxCpu = new double[Rounds];
    var clientCpu = new double[Rounds];
    for (var round = 0; round < Rounds; round++)
    {
        (nginxRounds[round], nginxCpu[round]) = await MeasureAsync(nginx.ProcessIds(), () => RunWrkAsync(wrk, null, $"http://{nginx.EndPoint}/{name}", seconds, 50));
        (clientRounds[round], clientCpu[round]) = await MeasureAsync([client.Id], () => RunWrkAsync(wrk, script, $"http://{proxy}/", seconds, 50));
    }
    rows.Add((name, size, nginxRounds, clientRounds, nginxCpu, clientCpu));
}
var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];

// RSS under 200 connections: sampled while wrk runs, the peak kept.
var loadScript = Path.Combine(work.Path, "obj10k.lua");
long peakRss = 0;
using (var sampling = new CancellationTokenSource())
{
    var sampler = Task.Run(async () =>
    {
        while (!sampling.IsCancellationRequested)
        {
            peakRss = Math.Max(peakRss, Rss(client.Id));
            await Task.Delay(100);
        }
    });
    var (loadRps, _) = await RunWrkAsync(wrk, loadScript, $"http://{proxy}/", seconds, 200);
    await sampling.CancelAsync();
    await sampler;
    Console.WriteLine($"200 connections: {loadRps:0} req/s, peak RSS {peakRss / 1024.0 / 1024:0.0} MiB");
}
var rss1m = await PeakRssAsync(client.Id, async () => (await RunWrkAsync(wrk, Path.Combine(work.Path, "obj1m.lua"), $"http://{proxy}/", seconds, 200)).Rps);
client.Kill(entireProcessTree: true);
await client.WaitForExitAsync();

var text = new StringBuilder();
text.AppendLine("# Client: cache hits vs nginx");
text.AppendLine();
text.AppendLine(CultureInfo.InvariantCulture, $"Rerun with `bench/run.sh client` (console harness `bench/Ouinet.Client.Bench`). Generated {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, .NET {Environment.Version}, nginx {nginx.Version}.");
text.AppendLine();
text.AppendLine("The client (`ouinet client`, its own process, Release build) answers from fresh entries of its own `data-v3` store,");
text.AppendLine("put there by injection and verified on the way in; nginx serves the same bytes from the same kind of disk, in the same run.");
text.AppendLine(CultureInfo.InvariantCulture, $"Load: `wrk -t2 -c50 -d{seconds}s`, keep-alive; the client gets proxy-form requests (`GET http://bench.test:PORT/OBJECT`) through a Lua script, nginx `GET /OBJECT`.");
text.AppendLine(CultureInfo.InvariantCulture, $"{Rounds} rounds per object, alternating nginx and the client; median and best round of each; CPU µs/request is the user + system time of the server's own processes (nginx's master and workers, the client) over the requests wrk completed in the round. The machine's 1-minute load average was {loadBefore} before the runs and {load} at their end (other work shares these 2 cores: compare within a row, not across runs).");
text.AppendLine("nginx: Debian's, generated minimal config (`worker_processes auto`, `sendfile on`, `access_log off`). Target: client ≥ 0.8 × nginx.");
text.AppendLine();
text.AppendLine("| object | nginx req/s (median / best) | client req/s (median / best) | client / nginx (median / best) | client MB/s (median) | target met (median) | CPU µs/request nginx / client (median) |");
text.AppendLine("|---|---:|---:|---:|---:|---|---:|");
foreach (var (name, size, nginxRounds, clientRounds, nginxCpu, clientCpu) in rows)
{
    var (nm, nb, cm, cb) = (Median(nginxRounds), nginxRounds.Max(), Median(clientRounds), clientRounds.Max());
    text.AppendLine(CultureInfo.InvariantCulture,
        $"| {Describe(size)} | {nm:0} / {nb:0} | {cm:0} / {cb:0} | {cm / nm:0.00} / {cb / nb:0.00} | {cm * size / 1e6:0} | {(cm / nm >= 0.8 ? "yes" : "no")} | {Median(nginxCpu):0.0} / {Median(clientCpu):0.0} |");
}
text.AppendLine();
text.AppendLine("Rounds (req/s): " + string.Join("; ", rows.Select(r => string.Create(CultureInfo.InvariantCulture,
    $"{Describe(r.Size)} nginx {string.Join(", ", r.Nginx.Select(x => x.ToString("0", CultureInfo.InvariantCulture)))}, client {string.Join(", ", r.Client.Select(x => x.ToString("0", CultureInfo.InvariantCulture)))}"))) + ".");
text.AppendLine("Rounds (server CPU µs/request): " + string.Join("; ", rows.Select(r => string.Create(CultureInfo.InvariantCulture,
    $"{Describe(r.Size)} nginx {string.Join(", ", r.NginxCpu.Select(x => x.ToString("0.0", CultureInfo.InvariantCulture)))}, client {string.Join(", ", r.ClientCpu.Select(x => x.ToString("0.0", CultureInfo.InvariantCulture)))}"))) + ".");
text.AppendLine();
text.AppendLine("| client memory (RSS) | MiB |");
text.AppendLine("|---|---:|");
text.AppendLine(CultureInfo.InvariantCulture, $"| idle, after populating the store | {idleRss / 1024.0 / 1024:0.0} |");
text.AppendLine(CultureInfo.InvariantCulture, $"| peak under 200 connections, 10 KiB hits | {peakRss / 1024.0 / 1024:0.0} |");
text.AppendLine(CultureInfo.InvariantCulture, $"| peak under 200 connections, 1 MiB hits | {rss1m / 1024.0 / 1024:0.0} |");
text.AppendLine();
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
File.WriteAllText(output, text.ToString());
Console.Write(text);
return 0;

static void KillQuietly(Process process)
{
    try
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
    }
    catch (InvalidOperationException)
    {
    }
}

static double Median(double[] values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

static string Describe(int size) => size >= 1024 * 1024 ? $"{size / 1024 / 1024} MiB" : $"{size / 1024} KiB";

static async Task<long> PeakRssAsync(int pid, Func<Task<double>> load)
{
    long peak = 0;
    using var sampling = new CancellationTokenSource();
    var sampler = Task.Run(async () =>
    {
        while (!sampling.IsCancellationRequested)
        {
            peak = Math.Max(peak, Rss(pid));
            await Task.Delay(100);
        }
    });
    await load();
    await sampling.CancelAsync();
    await sampler;
    return peak;
}

static long Rss(int pid)
{
    foreach (var line in File.ReadLines($"/proc/{pid}/status"))
    {
        if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
        {
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
    }
    return 0;
}

static Process StartClient(string cli, string repo, IPEndPoint injector, string key)
{
    var info = new ProcessStartInfo("dotnet", [cli, "client", "--repo", repo, "--listen-on-tcp", "127.0.0.1:0", "--front-end-ep", "127.0.0.1:0", "--injector-ep", $"tcp:{injector}",
        "--cache-http-public-key", key, "--disable-origin-access", "--log-level", "WARN"])
    { RedirectStandardOutput = false, RedirectStandardError = false };
    return Process.Start(info)!;
}

static async Task<IPEndPoint> ReadProxyEndpointAsync(string repo, Process client)
{
    var file = Path.Combine(repo, "endpoints.json");
    for (var i = 0; i < 300 && !File.Exists(file); i++)
    {
        if (client.HasExited)
        {
            throw new InvalidOperationException("ouinet client exited at start.");
        }
        await Task.Delay(100);
    }
    using var json = JsonDocument.Parse(File.ReadAllText(file));
    return IPEndPoint.Parse(json.RootElement.GetProperty("proxy_endpoint").GetString()!);
}

// The load's req/s, and the CPU time (user + system) the server's processes spent per request meanwhile.
static async Task<(double Rps, double CpuMicrosecondsPerRequest)> MeasureAsync(IReadOnlyList<int> server, Func<Task<(double Rps, long Requests)>> load)
{
    var before = CpuSeconds(server);
    var (rps, requests) = await load();
    return (rps, (CpuSeconds(server) - before) * 1e6 / requests);
}

static double CpuSeconds(IEnumerable<int> pids)
{
    double total = 0;
    foreach (var pid in pids)
    {
        // /proc/PID/stat: after the ")" that ends the name, utime and stime are the 12th and 13th fields, in clock ticks (100 Hz on Linux).
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        total += (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }
    return total;
}

static async Task<(double Rps, long Requests)> RunWrkAsync(string wrk, string? script, string url, int seconds, int connections)
{
    var arguments = new List<string> { "-t2", $"-c{connections}", $"-d{seconds}s" };
    if (script is not null)
    {
        arguments.AddRange(["-s", script]);
    }
    arguments.Add(url);
    var info = new ProcessStartInfo(wrk, arguments) { RedirectStandardOutput = true };
    using var process = Process.Start(info)!;
    var text = await process.StandardOutput.ReadToEndAsync();
    await process.WaitForExitAsync();
    var match = Regex.Match(text, @"Requests/sec:\s+([0-9.]+)");
    if (!match.Success || Regex.IsMatch(text, @"Non-2xx or 3xx responses"))
    {
        throw new InvalidOperationException($"wrk {url} failed:\n{text}");
    }
    var rps = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    var requests = long.Parse(Regex.Match(text, @"(\d+) requests in").Groups[1].Value, CultureInfo.InvariantCulture);
    Console.WriteLine($"wrk -c{connections} {url}{(script is null ? "" : " (" + Path.GetFileName(script) + ")")}: {rps:0} req/s");
    return (rps, requests);
}

static string? Which(string name) =>
    (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

static string TestPathsRoot()
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

internal sealed class BenchResolver : IOriginResolver
{
    public ValueTask<IReadOnlyList<IPEndPoint>> ResolveAsync(string host, int port, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<IPEndPoint>>([new IPEndPoint(IPAddress.Loopback, port)]);
}

internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("ouinet-client-bench").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Debian's nginx on a free loopback port with a generated minimal config serving one folder.</summary>
internal sealed class Nginx : IAsyncDisposable
{
    private readonly Process _process;

    private Nginx(Process process, IPEndPoint endPoint, string version)
    {
        _process = process;
        EndPoint = endPoint;
        Version = version;
    }

    public IPEndPoint EndPoint { get; }

    public string Version { get; }

    public static async Task<Nginx> StartAsync(string binary, string root, string work)
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var dir = Path.Combine(work, "nginx");
        Directory.CreateDirectory(dir);
        var config = Path.Combine(dir, "nginx.conf");
        File.WriteAllText(config, $$"""
            daemon off;
            master_process on;
            worker_processes auto;
            pid {{dir}}/nginx.pid;
            error_log {{dir}}/error.log warn;
            events { worker_connections 1024; }
            http {
                access_log off;
                sendfile on;
                tcp_nopush on;
                keepalive_requests 1000000;
                client_body_temp_path {{dir}}/body;
                proxy_temp_path {{dir}}/proxy;
                fastcgi_temp_path {{dir}}/fastcgi;
                uwsgi_temp_path {{dir}}/uwsgi;
                scgi_temp_path {{dir}}/scgi;
                types { application/octet-stream obj10k obj1m; }
                default_type application/octet-stream;
                server {
                    listen 127.0.0.1:{{port}};
                    root {{root}};
                }
            }
            """);
        var versionInfo = new ProcessStartInfo(binary, ["-v"]) { RedirectStandardError = true };
        string version;
        using (var v = Process.Start(versionInfo)!)
        {
            version = (await v.StandardError.ReadToEndAsync()).Trim().Split('/').Last();
            await v.WaitForExitAsync();
        }
        var process = Process.Start(new ProcessStartInfo(binary, ["-c", config, "-p", dir]) { RedirectStandardError = true })!;
        var endPoint = new IPEndPoint(IPAddress.Loopback, port);
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var socket = new TcpClient();
                await socket.ConnectAsync(endPoint);
                return new Nginx(process, endPoint, version);
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        throw new InvalidOperationException("nginx did not start: " + await process.StandardError.ReadToEndAsync());
    }

    /// <summary>The master and its workers.</summary>
    public IReadOnlyList<int> ProcessIds()
    {
        var ids = new List<int> { _process.Id };
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var parent = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1];
                    if (parent == _process.Id.ToString(CultureInfo.InvariantCulture))
                    {
                        ids.Add(pid);
                    }
                }
                catch (IOException)
                {
                }
            }
        }
        return ids;
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
