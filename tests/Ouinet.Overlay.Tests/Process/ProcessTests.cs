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
    public Task Ping_from_a_new_member_reaches_a_name_two_hops_away_in_a_line_of_processes() => PingThroughALineAsync(timersOnEveryMember: true, TestContext.Current.CancellationToken);

    /// <summary>
    /// The layer's link-state timers set on the bootstrapping member only (the others' configs have none): enrolment
    /// hands them over, so a member joining later still gets a flow to the name (README, Known problems).
    /// </summary>
    [Fact(Timeout = 120_000)]
    public Task With_the_layers_timers_on_the_bootstrapping_member_only_a_member_joining_later_reaches_a_name() => PingThroughALineAsync(timersOnEveryMember: false, TestContext.Current.CancellationToken);

    private static async Task PingThroughALineAsync(bool timersOnEveryMember, CancellationToken ct)
    {
        using var dir = new TempDirectory();
        var ports = LoopbackOverlay.FreePorts(4);
        var nodes = new List<System.Diagnostics.Process>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var extra = i == 0 ? "[name.oping]\nprog = [\"oping\"]" : "";
                var conf = LoopbackOverlay.Config(i, ports, i == 0 ? [] : [i - 1], extra, i == 0 ? "reg = [\"oping\"]" : "", timers: i == 0 || timersOnEveryMember);
                File.WriteAllText(dir.Combine($"n{i}.conf"), conf);
                nodes.Add(Start($"overlay node --config {dir.Combine($"n{i}.conf")}"));
            }
            File.WriteAllText(dir.Combine("ping.conf"), LoopbackOverlay.Config(3, ports, [2], timers: timersOnEveryMember));
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
