using System.CommandLine;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Ouinet.Cli.Configuration;
using Ouinet.Cli.Testbed;
using Ouinet.Client;
using Ouinet.Dht;
using Ouinet.Injector;
using Ouinet.Net;
using Ouinet.Protocol.Keys;

namespace Ouinet.Cli.Commands;

/// <summary>
/// <c>ouinet testbed</c>: a whole Ouinet network in one process, on 127.0.0.1 only — a web site (<c>origin.test</c>), an
/// injector, a private DHT (two bootstrap nodes of our own), and two clients: <b>A</b>, whose origin is blocked but which
/// reaches the injector (and so shares what it gets), and <b>B</b>, blocked as <c>--block</c> says (default: origin and
/// injector), which can then only get pages from other clients. With <c>--bridge</c>, B keeps injector access but its
/// injector address is a closed port (standing in for a blocked one): it reaches the injector through A, a bridge. The
/// injector is reached over TLS, its certificate pinned (a bridge carries TLS only). Prints the proxies and what to try;
/// Ctrl+C stops it.
/// </summary>
internal static class TestbedCommand
{
    public static Command Create()
    {
        var block = new Option<string[]>("--block")
        {
            Description = "What client B cannot reach: origin, injector (repeatable; default both), or none.",
            AllowMultipleArgumentsPerToken = false,
        };
        block.AcceptOnlyFromAmong("origin", "injector", "none");
        var dir = new Option<DirectoryInfo?>("--dir") { Description = "Folder for the repositories (default: a new temporary folder, removed at exit)." };
        var check = new Option<bool>("--check") { Description = "Fetch a page through A, then through B from the distributed cache (with --bridge: another page, from the injector through A), print what happened, and exit (0 when B got it)." };
        var verbose = new Option<bool>("--verbose") { Description = "Log what the injector and the clients do (Information), not only warnings." };
        var bridge = new Option<bool>("--bridge") { Description = "B keeps injector access, but its injector address is a closed port: it reaches the injector through A, a bridge." };
        var command = new Command("testbed", "Run a whole Ouinet network on 127.0.0.1: a site, an injector, a private DHT and two clients (B blocked), to try the distributed cache.")
        {
            block, dir, check, verbose, bridge,
        };
        command.SetAction((result, ct) => RunAsync(result, result.GetValue(block) ?? [], result.GetValue(dir), result.GetValue(check), result.GetValue(verbose), result.GetValue(bridge), ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult result, string[] block, DirectoryInfo? dir, bool check, bool verbose, bool bridge, CancellationToken cancellationToken)
    {
        var output = result.InvocationConfiguration.Output;
        var blocked = block.Length == 0 ? new HashSet<string> { "origin", "injector" } : block.Where(b => b != "none").ToHashSet();
        if (bridge)
        {
            blocked.Remove("injector"); // blocked by address instead, see below
        }
        var root = dir?.FullName ?? Path.Combine(Path.GetTempPath(), "ouinet-testbed-" + Guid.NewGuid().ToString("N")[..8]);
        var removeRoot = dir is null;
        Directory.CreateDirectory(root);
        using var loggerFactory = OuinetLogging.CreateFactory(output, verbose ? LogLevel.Information : LogLevel.Warning);
        await using var stack = new Stack(root, removeRoot);
        try
        {
            stack.Origin = TestbedOrigin.Start();
            var key = InjectorPrivateKey.Generate();
            stack.Key = key;
            var injectorRepository = new InjectorRepository(Path.Combine(root, "injector"));
            Directory.CreateDirectory(injectorRepository.Path);
            stack.Certificate = injectorRepository.LoadOrCreateTlsCertificate();
            var certificateFile = Path.Combine(injectorRepository.Path, "tls-cert.pem");
            stack.Injector = new InjectorServer(new InjectorOptions
            {
                SigningKey = key,
                TlsEndpoints = [new IPEndPoint(IPAddress.Loopback, 0)],
                TlsCertificate = stack.Certificate,
                AllowPrivateTargets = true, // origin.test is 127.0.0.1
                OriginResolver = LoopbackResolver.Instance,
            }, loggerFactory);
            var injectorEndpoint = (await stack.Injector.StartAsync(cancellationToken))[0].EndPoint;

            // The private DHT: two nodes that bootstrap from each other, loopback only.
            var muxes = new[] { UdpMultiplexer.Bind(new IPEndPoint(IPAddress.Loopback, 0)), UdpMultiplexer.Bind(new IPEndPoint(IPAddress.Loopback, 0)) };
            stack.Muxes.AddRange(muxes);
            for (var i = 0; i < muxes.Length; i++)
            {
                var node = new DhtNode(new DhtOptions { BootstrapNodes = [muxes[1 - i].LocalEndPoint], UseDefaultBootstrapRouters = false }, muxes[i], loggerFactory: loggerFactory);
                stack.DhtNodes.Add(node);
                muxes[i].Start();
                await node.StartAsync(cancellationToken);
            }
            var bootstrap = muxes.Select(m => m.LocalEndPoint.ToString()).ToList();

            ClientOptions Client(string name, bool noOrigin, bool noInjector, IPEndPoint injectorAt) => new()
            {
                Repository = Path.Combine(root, name),
                ListenOnTcp = new IPEndPoint(IPAddress.Loopback, 0),
                FrontEndEndPoint = new IPEndPoint(IPAddress.Loopback, 0), // two clients, and maybe a real one on 8078
                InjectorEndpoint = $"tcp:{injectorAt}",
                InjectorTlsCertificateFile = certificateFile,
                CacheHttpPublicKey = key.PublicKey.ToHex(),
                CacheTypes = ["bep5-http"],
                UdpMuxAddress = IPAddress.Loopback,
                UdpMuxPort = 0,
                BtBootstrapExtra = bootstrap,
                BtBootstrapNoDefault = true,
                BtAllowMartians = true,
                DisableOriginAccess = noOrigin,
                DisableInjectorAccess = noInjector,
                DisableProxyAccess = noInjector,
                OriginResolver = LoopbackResolver.Instance,
            };
            stack.A = new OuinetClient(Client("client-a", noOrigin: true, noInjector: false, injectorEndpoint), loggerFactory);
            stack.B = new OuinetClient(Client("client-b", blocked.Contains("origin"), blocked.Contains("injector"), bridge ? ClosedPort() : injectorEndpoint), loggerFactory);
            var proxyA = await stack.A.StartAsync(cancellationToken);
            var proxyB = await stack.B.StartAsync(cancellationToken);

            var page = stack.Origin.Url("/news.html");
            var bigCurl = "curl -s -o /dev/null -w '%{http_code} %{size_download} bytes\\n' -x http://" + proxyA + " " + stack.Origin.Url("/big.bin") + "    # 1 MiB, signed block by block";
            string Access(bool isBlocked) => isBlocked ? "blocked" : "open";
            var injectorB = bridge ? "blocked (its address is a closed port), through bridge A" : Access(blocked.Contains("injector"));
            await output.WriteLineAsync($"""
                Ouinet testbed — everything on 127.0.0.1 (repositories in {root}); Ctrl+C stops it.

                  origin     http://{TestbedOrigin.HostName}:{stack.Origin.EndPoint.Port.ToString(CultureInfo.InvariantCulture)}/  (pages: {string.Join(", ", stack.Origin.Paths)}; the proxies resolve {TestbedOrigin.HostName} to 127.0.0.1)
                  injector   tcp:{injectorEndpoint}  TLS (clients pin {certificateFile}), key {key.PublicKey.ToHex()}
                  DHT        {string.Join(", ", bootstrap)}  (private: the clients use only these bootstrap nodes)
                  client A   proxy http://{proxyA}  origin: blocked, injector: open   (DHT/uTP {stack.A.DistributedCache!.GetSnapshot().LocalEndPoint}; front-end http://{stack.A.FrontEndEndPoint}/)
                  client B   proxy http://{proxyB}  origin: {Access(blocked.Contains("origin"))}, injector: {injectorB}   (DHT/uTP {stack.B.DistributedCache!.GetSnapshot().LocalEndPoint}; front-end http://{stack.B.FrontEndEndPoint}/)

                Try (watch X-Ouinet-Source):
                  curl -si -x http://{proxyA} {page}    # A gets it through the injector, verifies, stores and announces it
                  curl -si -x http://{proxyB} {page}    # {(bridge ? "B gets it from the injector through A as a bridge: X-Ouinet-Source: injector" : "B, blocked, gets it from A: X-Ouinet-Source: dist-cache")}
                  curl -si -x http://{proxyB} {page}    # again: local-cache (B stored it and now shares it too)
                  {bigCurl}
                {(bridge
                    ? "B gets pages no client has through the injector anyway: X-Ouinet-Source: injector, by way of A (A's front-end shows bytes bridged)."
                    : "A page B asks for before any client has it fails with 502 (X-Ouinet-Error: 3): nobody can give it.")}
                """);
            await output.FlushAsync(cancellationToken);
            if (check)
            {
                return await CheckAsync(output, proxyA, proxyB, page, bridge, stack, cancellationToken);
            }
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        await output.WriteLineAsync("Stopping the testbed…");
        return 0;
    }

    /// <summary>A closed port on loopback (bound, then released): what a blocked address looks like from here.</summary>
    private static IPEndPoint ClosedPort()
    {
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return (IPEndPoint)probe.LocalEndpoint;
    }

    /// <summary>A gets <paramref name="page"/>; then B gets it from A's cache, or with <paramref name="bridge"/> another page through A as a bridge.</summary>
    private static async Task<int> CheckAsync(TextWriter output, IPEndPoint proxyA, IPEndPoint proxyB, string page, bool bridge, Stack stack, CancellationToken cancellationToken)
    {
        static HttpClient Through(IPEndPoint proxy) =>
            new(new HttpClientHandler { Proxy = new WebProxy($"http://{proxy}") { BypassProxyOnLocal = false }, UseProxy = true }) { Timeout = TimeSpan.FromSeconds(60) };
        using var a = Through(proxyA);
        using var b = Through(proxyB);
        using (var response = await a.GetAsync(page, cancellationToken))
        {
            await output.WriteLineAsync($"check: A {(int)response.StatusCode} from {Source(response)}");
            await response.Content.ReadAsByteArrayAsync(cancellationToken);
        }
        var originRequests = stack.Origin!.Requests;
        var pageB = bridge ? stack.Origin.Url("/hello.txt") : page;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await b.GetAsync(pageB, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                if (bridge)
                {
                    var bridged = stack.A!.DistributedCache!.GetSnapshot().BytesBridged;
                    await output.WriteLineAsync($"check: B {(int)response.StatusCode} from {Source(response)} ({body.Length} characters; A bridged {bridged} bytes)");
                    return Source(response) == "injector" && bridged > 0 ? 0 : 1;
                }
                await output.WriteLineAsync($"check: B {(int)response.StatusCode} from {Source(response)} ({body.Length} characters; the origin served {stack.Origin.Requests - originRequests} requests meanwhile)");
                return Source(response) == "dist-cache" ? 0 : 1;
            }
            await Task.Delay(1000, cancellationToken);
        }
        await output.WriteLineAsync("check: B never got the page from another client");
        return 1;
    }

    private static string Source(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Ouinet-Source", out var values) ? string.Join(",", values) : "(no X-Ouinet-Source)";

    /// <summary>Everything the testbed started, stopped in reverse order.</summary>
    private sealed class Stack(string root, bool removeRoot) : IAsyncDisposable
    {
        public TestbedOrigin? Origin { get; set; }

        public InjectorPrivateKey? Key { get; set; }

        public InjectorServer? Injector { get; set; }

        public System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate { get; set; }

        public List<UdpMultiplexer> Muxes { get; } = [];

        public List<DhtNode> DhtNodes { get; } = [];

        public OuinetClient? A { get; set; }

        public OuinetClient? B { get; set; }

        public async ValueTask DisposeAsync()
        {
            foreach (var client in new[] { B, A })
            {
                if (client is not null)
                {
                    await client.StopAsync(TimeSpan.FromSeconds(2));
                    await client.DisposeAsync();
                }
            }
            if (Injector is not null)
            {
                await Injector.DisposeAsync();
            }
            foreach (var node in DhtNodes)
            {
                await node.DisposeAsync();
            }
            foreach (var mux in Muxes)
            {
                await mux.DisposeAsync();
            }
            if (Origin is not null)
            {
                await Origin.DisposeAsync();
            }
            Key?.Dispose();
            Certificate?.Dispose();
            if (removeRoot)
            {
                try
                {
                    Directory.Delete(root, recursive: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                }
            }
        }
    }
}
