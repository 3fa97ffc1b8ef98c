using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Ouinet.Overlay.Tests.Support;

namespace Ouinet.Overlay.Tests.Namespaces;

/// <summary>
/// Ouroboros' FRCP ping experiment (blog 2020-05-02) with real processes in two network namespaces that the test
/// creates, over a veth link whose egress in both directions drops 8 % and duplicates 3 % of the datagrams (nftables:
/// this kernel is built without <c>sch_netem</c>, so netem's 10 % reordering is not reproduced here; the simulated
/// experiment, <see cref="Experiments.PingUnderNetemTests"/>, has it). One <c>ouinet overlay ping</c> per QoS cube over
/// the UDP shim, at the same time: raw has no retransmission and loses pings; data delivers every one, in order.
/// </summary>
[Collection(ProcessCollection.Name)]
public partial class PingUnderLossInNamespacesTests(ITestOutputHelper output)
{
    private const int Count = 50;

    [Fact(Timeout = 180_000)]
    public async Task Under_loss_and_duplication_raw_loses_pings_and_data_delivers_all_of_them_in_order()
    {
        if (NetNs.Unavailable() is { } reason)
        {
            Assert.Skip(reason);
        }
        var ct = TestContext.Current.CancellationToken;
        using var net = new NetNs();
        var a = net.Add("a");
        var b = net.Add("b");
        var (devA, addrA, devB, addrB) = net.Link(a, b);
        NetNs.Impair(a, devA, lossPercent: 8, duplicatePercent: 3);
        NetNs.Impair(b, devB, lossPercent: 8, duplicatePercent: 3);
        using var dir = new TempDirectory("overlay-netns");
        var server = dir.Combine("server.conf");
        await File.WriteAllTextAsync(server, ShimConfig(addrB, 3435, "reg = [\"oping\"]", "[name.oping]\nprog = [\"oping\"]"), ct);
        await using var echo = NetNs.Start(b, "echo", "overlay", "node", "--config", server);
        // The name is registered before its program serves it; a flow request in between is refused (ENAME).
        await echo.WaitUntilAsync(() => echo.Output.Contains("oping serving oping", StringComparison.Ordinal), ct);

        string[] cubes = ["raw", "voice", "data"];
        var pings = new List<OuinetProcess>();
        try
        {
            for (var i = 0; i < cubes.Length; i++)
            {
                var conf = dir.Combine($"{cubes[i]}.conf");
                await File.WriteAllTextAsync(conf, ShimConfig(addrA, 3435 + i, $"dir = [\"oping={addrB}:3435\"]"), ct);
                pings.Add(NetNs.Start(a, cubes[i], "overlay", "ping", "oping", "--config", conf, "-c", $"{Count}", "-i", "100", "-q", cubes[i], "--timeout", "60"));
            }
            var results = new Dictionary<string, (int Sent, int Received, int OutOfOrder)>();
            for (var i = 0; i < cubes.Length; i++)
            {
                await pings[i].WaitForExitAsync(ct);
                var m = Summary().Match(pings[i].Output);
                Assert.True(m.Success, $"{cubes[i]}:\n{pings[i].Output}\n--echo--\n{echo.Output}");
                results[cubes[i]] = (Int(m, 1), Int(m, 2), Int(m, 3));
                output.WriteLine($"{cubes[i]}: {m.Value}");
            }
            output.WriteLine(NetNs.Counters(a));
            output.WriteLine(NetNs.Counters(b));

            Assert.Equal(Count, results["raw"].Sent);
            // Each ping crosses the lossy link twice: P(all 50 arrive) = 0.92^100 < 0.1 %.
            Assert.True(results["raw"].Received < Count, "raw flows have no retransmission: some pings are lost");
            Assert.Equal((Count, Count, 0), results["data"]);
            Assert.Equal(0, results["voice"].OutOfOrder);
        }
        finally
        {
            foreach (var p in pings)
            {
                await p.DisposeAsync();
            }
        }
    }

    /// <summary>A shim-only node: the published experiment ran oping over a single shim layer (eth-dix there, udp4 here).</summary>
    private static string ShimConfig(IPAddress ip, int port, string shimExtra, string extra = "") => $"""
        {extra}
        [udp4.udp]
        bootstrap = "udp"
        ip = "{ip}"
        port = {port}
        {shimExtra}
        """;

    private static int Int(Match m, int group) => int.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"(\d+) packets transmitted, (\d+) received, (\d+) out-of-order[^\n]*\n[^\n]*")]
    private static partial Regex Summary();
}
