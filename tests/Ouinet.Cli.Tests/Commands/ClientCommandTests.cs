using System.CommandLine;
using System.Text.Json;
using Ouinet.Cli.Commands;

namespace Ouinet.Cli.Tests.Commands;

public class ClientCommandTests
{
    /// <summary>Runs <c>ouinet client</c> in-process until it wrote <c>endpoints.json</c>; stopping it is the caller's.</summary>
    private sealed class RunningClient(Task<int> run, CancellationTokenSource stop, StringWriter output, StringWriter error) : IAsyncDisposable
    {
        public StringWriter Output => output;

        public StringWriter Error => error;

        public Task<int> Run => run;

        public static async Task<RunningClient> StartAsync(string repo, params string[] extra)
        {
            var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            var output = new StringWriter();
            var error = new StringWriter();
            var endpoints = Path.Combine(repo, ClientCommand.EndpointsFileName);
            File.Delete(endpoints);
            var args = new[] { "client", "--repo", repo, "--listen-on-tcp", "127.0.0.1:0", "--front-end-ep", "127.0.0.1:0" }.Concat(extra).ToArray();
            var run = OuinetCommand.Create().Parse(args).InvokeAsync(new InvocationConfiguration { Output = TextWriter.Synchronized(output), Error = error }, stop.Token);
            while (!File.Exists(endpoints) && !run.IsCompleted)
            {
                await Task.Delay(20, TestContext.Current.CancellationToken);
            }
            return new RunningClient(run, stop, output, error);
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
    public async Task First_start_creates_the_documented_config_the_ca_with_an_owner_only_key_the_cache_and_the_saved_options()
    {
        using var repo = new TempDirectory();
        await using var client = await RunningClient.StartAsync(repo.Path);
        Assert.False(client.Run.IsCompleted, client.Error.ToString());
        var config = await File.ReadAllTextAsync(repo.Combine(ClientCommand.ConfigFileName), TestContext.Current.CancellationToken);
        Assert.Contains("#listen-on-tcp = 127.0.0.1:8077", config, StringComparison.Ordinal);
        Assert.Contains("#max-cached-age = 604800", config, StringComparison.Ordinal);
        Assert.Contains("This option is persistent.", config, StringComparison.Ordinal);
        Assert.True(File.Exists(repo.Combine("ssl-ca-cert.pem")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(repo.Combine("ssl-ca-key.pem")));
        Assert.Equal(
            "log-level = INFO\nbt-bootstrap-no-default = 0\nenable-log-file = 0\ndisable-origin-access = 0\ndisable-injector-access = 0\ndisable-proxy-access = 0\ndisable-cache-access = 0\n",
            await File.ReadAllTextAsync(repo.Combine(ClientCommand.SavedFileName), TestContext.Current.CancellationToken));
        using var endpoints = JsonDocument.Parse(await File.ReadAllTextAsync(repo.Combine(ClientCommand.EndpointsFileName), TestContext.Current.CancellationToken));
        var proxy = endpoints.RootElement.GetProperty("proxy_endpoint").GetString()!;
        Assert.StartsWith("127.0.0.1:", proxy, StringComparison.Ordinal);
        Assert.Contains("Client proxy listening on " + proxy, client.Output.ToString(), StringComparison.Ordinal);
        using var http = new HttpClient();
        Assert.Contains("BEGIN CERTIFICATE", await http.GetStringAsync($"http://{proxy}/ca.pem", TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(0, await client.StopAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task Persistent_options_given_once_are_saved_and_win_over_the_config_until_dropped()
    {
        using var repo = new TempDirectory();
        Directory.CreateDirectory(repo.Path);
        await File.WriteAllTextAsync(repo.Combine(ClientCommand.ConfigFileName), "log-level = WARN\ndisable-proxy-access = true\n", TestContext.Current.CancellationToken);
        await using (var first = await RunningClient.StartAsync(repo.Path, "--disable-origin-access", "--log-level", "debug"))
        {
            Assert.Equal(0, await first.StopAsync());
        }
        var saved = repo.Combine(ClientCommand.SavedFileName);
        Assert.Equal("log-level = DEBUG\nbt-bootstrap-no-default = 0\nenable-log-file = 0\ndisable-origin-access = 1\ndisable-injector-access = 0\ndisable-proxy-access = 1\ndisable-cache-access = 0\n", await File.ReadAllTextAsync(saved, TestContext.Current.CancellationToken));

        // Without the flags, the saved values still win over ouinet-client.conf (log-level WARN there).
        await using (var second = await RunningClient.StartAsync(repo.Path))
        {
            Assert.Contains("Mechanisms: none", second.Output.ToString(), StringComparison.Ordinal);
            Assert.Equal(0, await second.StopAsync());
        }
        Assert.StartsWith("log-level = DEBUG\nbt-bootstrap-no-default = 0\nenable-log-file = 0\ndisable-origin-access = 1", await File.ReadAllTextAsync(saved, TestContext.Current.CancellationToken), StringComparison.Ordinal);

        // The command line wins over the saved file; --drop-saved-opts forgets it.
        await using (var third = await RunningClient.StartAsync(repo.Path, "--drop-saved-opts"))
        {
            Assert.Equal(0, await third.StopAsync());
        }
        Assert.Equal("log-level = WARN\nbt-bootstrap-no-default = 0\nenable-log-file = 0\ndisable-origin-access = 0\ndisable-injector-access = 0\ndisable-proxy-access = 1\ndisable-cache-access = 0\n", await File.ReadAllTextAsync(saved, TestContext.Current.CancellationToken));
    }

    [Fact(Timeout = 30_000)]
    public async Task Front_end_switches_are_saved_as_persistent_options_while_the_client_runs()
    {
        using var repo = new TempDirectory();
        await using var client = await RunningClient.StartAsync(repo.Path);
        Assert.False(client.Run.IsCompleted, client.Error.ToString());
        using var endpoints = JsonDocument.Parse(await File.ReadAllTextAsync(repo.Combine(ClientCommand.EndpointsFileName), TestContext.Current.CancellationToken));
        var frontEnd = endpoints.RootElement.GetProperty("frontend_tcp_endpoint").GetString()!;
        Assert.StartsWith("127.0.0.1:", frontEnd, StringComparison.Ordinal);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false });
        using var status = JsonDocument.Parse(await http.GetStringAsync($"http://{frontEnd}/api/status", TestContext.Current.CancellationToken));
        var csrf = status.RootElement.GetProperty("csrf").GetString()!;
        using var response = await http.PostAsync($"http://{frontEnd}/", new FormUrlEncodedContent(
            [new("proxy_access", "disable"), new("distributed_cache", "disable"), new("loglevel", "debug"), new("csrf", csrf)]), TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(
            "log-level = DEBUG\nbt-bootstrap-no-default = 0\nenable-log-file = 0\ndisable-origin-access = 0\ndisable-injector-access = 0\ndisable-proxy-access = 1\ndisable-cache-access = 1\n",
            await File.ReadAllTextAsync(repo.Combine(ClientCommand.SavedFileName), TestContext.Current.CancellationToken));
        // Started at INFO: the client filters by its own (run-time) level, so no DEBUG line came out before the switch.
        var output = client.Output.ToString();
        Assert.DoesNotContain("[DEBUG]", output[..output.IndexOf("Front-end: origin", StringComparison.Ordinal)], StringComparison.Ordinal);
        Assert.Equal(0, await client.StopAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task Invalid_combinations_fail_at_start_naming_each_option()
    {
        using var repo = new TempDirectory();
        var (exit, _, error) = await CliRunner.RunAsync(TestContext.Current.CancellationToken,
            "client", "--repo", repo.Path, "--injector-ep", "utp:injector.example:7085", "--cache-http-public-key", "abc", "--cache-static-repo", "/nowhere",
            "--max-cached-age", "soon", "--local-domain", "bad.domain");
        Assert.Equal(1, exit);
        Assert.Contains("injector-ep \"utp:injector.example:7085\": expected utp:IP:PORT", error, StringComparison.Ordinal);
        Assert.Contains("cache-http-public-key: The Ed25519 public key must be 64 hex or 52 base32 characters", error, StringComparison.Ordinal);
        Assert.Contains("cache-static-repo: needs cache-static-root", error, StringComparison.Ordinal);
        Assert.Contains("max-cached-age \"soon\"", error, StringComparison.Ordinal);
        Assert.Contains("local-domain \"bad.domain\"", error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task An_injector_without_its_public_key_is_refused_and_credentials_need_an_injector()
    {
        using var repo = new TempDirectory();
        var (exit, _, error) = await CliRunner.RunAsync(TestContext.Current.CancellationToken, "client", "--repo", repo.Path, "--injector-ep", "tcp:127.0.0.1:7070");
        Assert.Equal(1, exit);
        Assert.Contains("cache-http-public-key: required to use the injector", error, StringComparison.Ordinal);
        (exit, _, error) = await CliRunner.RunAsync(TestContext.Current.CancellationToken, "client", "--repo", repo.Path, "--injector-credentials", "user:pass");
        Assert.Equal(1, exit);
        Assert.Contains("injector-credentials: needs an injector endpoint", error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_saved_options_file_with_a_non_persistent_option_is_an_error_naming_the_line()
    {
        using var repo = new TempDirectory();
        await File.WriteAllTextAsync(repo.Combine(ClientCommand.SavedFileName), "log-level = INFO\ninjector-ep = tcp:127.0.0.1:1\n", TestContext.Current.CancellationToken);
        var (exit, _, error) = await CliRunner.RunAsync(TestContext.Current.CancellationToken, "client", "--repo", repo.Path);
        Assert.Equal(1, exit);
        Assert.Contains($"{ClientCommand.SavedFileName}:2: injector-ep is not a persistent option", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_lists_every_option_and_marks_the_persistent_ones()
    {
        var output = new StringWriter();
        OuinetCommand.Create().Parse(["client", "--help"]).Invoke(new InvocationConfiguration { Output = output });
        var help = output.ToString();
        foreach (var spec in ClientCommand.Options.Specs)
        {
            Assert.Contains("--" + spec.Name, help, StringComparison.Ordinal);
        }
        Assert.Contains("--drop-saved-opts", help, StringComparison.Ordinal);
        Assert.Equal(8, ClientCommand.Options.Specs.Count(s => s.Persistent));
        Assert.Equal(8, help.Split("This option is persistent.").Length - 1);
    }
}
