using System.Diagnostics;
using System.Text.Json;
using Ouinet.Cli.Commands;

namespace Ouinet.Cli.Tests.Commands;

/// <summary><c>ouinet client</c> with no <c>--repo</c>, as a real process: the per-user default repository is used.</summary>
public class ClientDefaultRepositoryTests
{
    [Fact(Timeout = 60_000)]
    public async Task Without_repo_the_client_starts_in_the_users_data_folder()
    {
        var ct = TestContext.Current.CancellationToken;
        using var home = new TempDirectory();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in new[] { TestPaths.OuinetDll, "client", "--listen-on-tcp", "127.0.0.1:0", "--front-end-ep", "127.0.0.1:0" })
        {
            start.ArgumentList.Add(arg);
        }
        // LocalApplicationData on Linux is $XDG_DATA_HOME (else ~/.local/share).
        start.Environment["XDG_DATA_HOME"] = home.Path;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            var endpoints = Path.Combine(home.Path, "ouinet", "client", ClientCommand.EndpointsFileName);
            while (!File.Exists(endpoints) && !process.HasExited)
            {
                await Task.Delay(50, ct);
            }
            if (process.HasExited)
            {
                Assert.Fail($"ouinet client exited with {process.ExitCode}: {await stderr}");
            }
            Assert.True(File.Exists(Path.Combine(home.Path, "ouinet", "client", ClientCommand.ConfigFileName)));
            Assert.True(File.Exists(Path.Combine(home.Path, "ouinet", "client", "ssl-ca-cert.pem")));
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(endpoints, ct));
            Assert.StartsWith("127.0.0.1:", json.RootElement.GetProperty("proxy_endpoint").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(ct);
        }
    }
}
