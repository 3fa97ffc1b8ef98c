using System.Diagnostics;
using Ouinet.Overlay.Tests.Support;

namespace Ouinet.Overlay.Tests.Process;

/// <summary>Real processes on loopback UDP: <c>ouinet overlay node</c> members and <c>ouinet overlay ping</c> joining them.</summary>
[Collection(ProcessCollection.Name)]
public class ProcessTests
{
    private static string Ouinet => TestPaths.OuinetDll;

    private static System.Diagnostics.Process Start(string args)
    {
        var psi = new ProcessStartInfo("dotnet", $"\"{Ouinet}\" {args}") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        return System.Diagnostics.Process.Start(psi)!;
    }

    [Fact(Timeout = 120_000)]
    public async Task Ping_from_a_new_member_reaches_a_name_two_hops_away_in_a_line_of_processes()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        var ports = LoopbackOverlay.FreePorts(4);
        var nodes = new List<System.Diagnostics.Process>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var extra = i == 0 ? "[name.oping]\nprog = [\"oping\"]" : "";
                var conf = LoopbackOverlay.Config(i, ports, i == 0 ? [] : [i - 1], extra, i == 0 ? "reg = [\"oping\"]" : "");
                File.WriteAllText(dir.Combine($"n{i}.conf"), conf);
                nodes.Add(Start($"overlay node --config {dir.Combine($"n{i}.conf")}"));
            }
            File.WriteAllText(dir.Combine("ping.conf"), LoopbackOverlay.Config(3, ports, [2]));
            using var ping = Start($"overlay ping oping --config {dir.Combine("ping.conf")} -c 5 -i 50 -q data --timeout 90");
            var errors = ping.StandardError.ReadToEndAsync(ct);
            var output = await ping.StandardOutput.ReadToEndAsync(ct);
            await ping.WaitForExitAsync(ct);
            output += await errors;
            Assert.Contains("5 packets transmitted, 5 received", output, StringComparison.Ordinal);
            Assert.Contains("rtt min/avg/max/mdev", output, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var p in nodes)
            {
                p.Kill(entireProcessTree: true);
                await p.WaitForExitAsync(CancellationToken.None);
                p.Dispose();
            }
        }
    }
}
