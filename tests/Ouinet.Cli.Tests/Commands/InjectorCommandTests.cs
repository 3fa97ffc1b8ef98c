using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ouinet.Cli.Commands;
using Ouinet.Injector;
using Ouinet.Protocol.Keys;

namespace Ouinet.Cli.Tests.Commands;

public class InjectorCommandTests
{
    /// <summary>Runs <c>ouinet injector</c> in-process until its endpoint files exist; stopping it is the caller's.</summary>
    private sealed class RunningInjector(Task<int> run, CancellationTokenSource stop, StringWriter output, StringWriter error) : IAsyncDisposable
    {
        public StringWriter Output => output;

        public StringWriter Error => error;

        public static async Task<RunningInjector> StartAsync(string repo, CancellationToken cancellationToken, params string[] extra)
        {
            var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var output = new StringWriter();
            var error = new StringWriter();
            var args = new[] { "injector", "--repo", repo }.Concat(extra).ToArray();
            var run = OuinetCommand.Create().Parse(args).InvokeAsync(new InvocationConfiguration { Output = TextWriter.Synchronized(output), Error = error }, stop.Token);
            var tls = Path.Combine(repo, InjectorRepository.TlsEndpointFileName);
            while (!File.Exists(tls) && !run.IsCompleted)
            {
                await Task.Delay(20, TestContext.Current.CancellationToken);
            }
            return new RunningInjector(run, stop, output, error);
        }

        public async Task<int> StopAsync()
        {
            await stop.CancelAsync();
            return await run;
        }

        public async ValueTask DisposeAsync()
        {
            if (!run.IsCompleted)
            {
                await StopAsync();
            }
            stop.Dispose();
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task First_start_creates_the_config_keys_certificate_and_endpoint_files_and_logs_the_public_key()
    {
        using var repo = new TempDirectory();
        await using var injector = await RunningInjector.StartAsync(repo.Path, TestContext.Current.CancellationToken, "--listen-on-tcp", "127.0.0.1:0", "--listen-on-tcp-tls", "127.0.0.1:0");

        var privateKey = repo.Combine(InjectorKeyFiles.PrivateKeyFileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(privateKey));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(repo.Combine("tls-key.pem")));
        using (var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(repo.Combine("tls-cert.pem"), repo.Combine("tls-key.pem")))
        {
            Assert.Equal("CN=localhost", certificate.Subject);
            Assert.True(certificate.NotBefore <= DateTime.Now && certificate.NotBefore > DateTime.Now.AddMinutes(-5));
        }
        Assert.Equal(InjectorCommand.Options.FormatConfigFile(
            "Ouinet injector configuration: key = value, # starts a comment. Command-line options override these.\n" +
            "Generated on first start with the defaults; each option also exists as --NAME on the command line."), File.ReadAllText(repo.Combine("ouinet-injector.conf")));
        var publicKey = File.ReadAllText(repo.Combine(InjectorKeyFiles.PublicKeyFileName));
        Assert.Contains($"[INFO] HTTP signing public key (Ed25519): {publicKey}", injector.Output.ToString(), StringComparison.Ordinal);

        var tcp = new InjectorRepository(repo.Path).ReadEndpointFile(InjectorEndpointKind.Tcp)!;
        Assert.Contains($"Listening on tcp:{tcp}", injector.Output.ToString(), StringComparison.Ordinal);
        Assert.Equal("HTTP/1.1 200 OK", await RequestAsync(tcp, "GET /api/ok HTTP/1.1\r\nHost: x\r\n\r\n"));

        Assert.Equal(0, await injector.StopAsync());
        Assert.False(File.Exists(repo.Combine(InjectorRepository.TcpEndpointFileName)));
        Assert.Contains("[INFO] Stopped", injector.Output.ToString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Command_line_options_override_the_config_file()
    {
        using var repo = new TempDirectory();
        File.WriteAllText(repo.Combine("ouinet-injector.conf"),
            "listen-on-tcp = 127.0.0.1:0\nlisten-on-tcp-tls = 127.0.0.1:0\ncredentials = file:secret # from the file\ndisable-proxy = true\nlog-level = DEBUG\n");
        await using var injector = await RunningInjector.StartAsync(repo.Path, TestContext.Current.CancellationToken, "--credentials", "cli:secret", "--disable-proxy", "false");
        var tcp = new InjectorRepository(repo.Path).ReadEndpointFile(InjectorEndpointKind.Tcp)!;

        // The file's credentials no longer work; the command line's do, and proxying is on again (the target is then
        // refused as loopback, which shows the request got past credentials and the proxy switch).
        Assert.Equal("HTTP/1.1 407 Proxy Authentication Required", await RequestAsync(tcp, Proxied("file:secret")));
        Assert.Equal("HTTP/1.1 403 Forbidden\r\nX-Ouinet-Error: 5 Request target not allowed", await RequestAsync(tcp, Proxied("cli:secret"), withError: true));
        Assert.Contains("[DEBUG]", injector.Output.ToString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Every_invalid_setting_is_reported_and_nothing_starts()
    {
        using var repo = new TempDirectory();
        File.WriteAllText(repo.Combine("ouinet-injector.conf"), "listen-on-tcp = nowhere\ncredentials = nocolon\nlog-level = LOUD\n");
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await OuinetCommand.Create().Parse(["injector", "--repo", repo.Path, "--restricted", "(unclosed"])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken);
        Assert.Equal(1, exit);
        var text = error.ToString();
        Assert.Contains("listen-on-tcp \"nowhere\"", text, StringComparison.Ordinal);
        Assert.Contains("credentials must be user:password", text, StringComparison.Ordinal);
        Assert.Contains("log-level \"LOUD\"", text, StringComparison.Ordinal);
        Assert.Contains("restricted is not a valid regular expression", text, StringComparison.Ordinal);
        Assert.False(File.Exists(repo.Combine(InjectorRepository.TcpEndpointFileName)));
    }

    [Fact(Timeout = 30_000)]
    public async Task Listening_on_the_overlay_needs_an_overlay_config_that_parses()
    {
        using var repo = new TempDirectory();
        File.WriteAllText(repo.Combine("broken.conf"), "[unicast.x]\nbootstrap = \"uni\"\nenrol = \"y\"\n");
        foreach (var (extra, expected) in new[]
        {
            (Array.Empty<string>(), "listen-on-overlay: needs the overlay node's configuration (overlay-config)"),
            (["--overlay-config", "broken.conf"], "overlay-config: "),
            (["--overlay-config", "missing.conf"], "overlay-config: "),
        })
        {
            var error = new StringWriter();
            var exit = await OuinetCommand.Create().Parse(["injector", "--repo", repo.Path, "--listen-on-overlay", "injector", .. extra])
                .InvokeAsync(new InvocationConfiguration { Output = new StringWriter(), Error = error }, TestContext.Current.CancellationToken);
            Assert.Equal(1, exit);
            Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Help_lists_every_option()
    {
        var (exit, output, _) = await CliRunner.RunAsync(TestContext.Current.CancellationToken, "injector", "--help");
        Assert.Equal(0, exit);
        foreach (var spec in InjectorCommand.Options.Specs)
        {
            Assert.Contains("--" + spec.Name, output, StringComparison.Ordinal);
        }
        Assert.Contains("--repo", output, StringComparison.Ordinal);
    }

    private static string Proxied(string credentials) =>
        $"GET http://127.0.0.1:9/ HTTP/1.1\r\nHost: 127.0.0.1:9\r\nProxy-Authorization: Basic {Convert.ToBase64String(Encoding.ASCII.GetBytes(credentials))}\r\n\r\n";

    /// <summary>Sends one request and returns the status line (and the X-Ouinet-Error line when asked).</summary>
    private static async Task<string> RequestAsync(IPEndPoint endpoint, string request, bool withError = false)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint, TestContext.Current.CancellationToken);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), TestContext.Current.CancellationToken);
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (await reader.ReadLineAsync(TestContext.Current.CancellationToken) is { Length: > 0 } line)
        {
            lines.Add(line);
        }
        return withError ? $"{lines[0]}\r\n{lines.First(l => l.StartsWith("X-Ouinet-Error:", StringComparison.Ordinal))}" : lines[0];
    }
}
