using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Ouinet.Overlay.Tests.Support;

namespace Ouinet.Overlay.Tests.Namespaces;

/// <summary>
/// Ouroboros' FRCP ping experiment (blog 2020-05-02: netem loss 8 %, duplicate 3 %, reorder 10 %) with real processes
/// in three network namespaces that the test creates, client — middle — server over two veth links. This kernel is
/// built without <c>sch_netem</c>, so the impairments are made another way: loss and duplication in the kernel, by
/// nftables on the egress of the client's and the server's veth (each direction crosses one of them); reordering in
/// userspace, by <c>reorder_relay.py</c> in the middle namespace, which holds every datagram <see cref="HoldMs"/> ms
/// except 10 % sent at once (netem's <c>delay D reorder 10%</c>). One <c>ouinet overlay ping</c> per QoS cube over the
/// UDP shim, at the same time: raw has no retransmission and loses pings, and gets some out of order; data delivers
/// every one, in order.
/// </summary>
[Collection(ProcessCollection.Name)]
public partial class PingUnderLossInNamespacesTests(ITestOutputHelper output)
{
    private const int Count = 50;
    private const int IntervalMs = 10;

    /// <summary>
    /// Longer than the ping interval, so that a datagram sent at once overtakes the previous ping (with netem's 1 ms
    /// nothing would be reordered between pings 10 ms apart), and short enough that the RTT varies by less than the 25 ms
    /// the shim's delay controller reads as queueing (with 150 ms between pings 100 ms apart, data RTTs rose to 3-4 s).
    /// </summary>
    private const int HoldMs = 12;

    [Fact(Timeout = 180_000)]
    public async Task Under_loss_duplication_and_reordering_raw_loses_pings_and_data_delivers_all_of_them_in_order()
    {
        if (NetNs.Unavailable() is { } reason)
        {
            Assert.Skip(reason);
        }
        var ct = TestContext.Current.CancellationToken;
        using var net = new NetNs();
        var a = net.Add("a");
        var middle = net.Add("m");
        var b = net.Add("b");
        var (devA, addrA, _, addrMa) = net.Link(a, middle);
        var (_, _, devB, addrB) = net.Link(middle, b);
        NetNs.Impair(a, devA, lossPercent: 8, duplicatePercent: 3);
        NetNs.Impair(b, devB, lossPercent: 8, duplicatePercent: 3);
        await using var relay = await NetNs.StartReorderRelayAsync(middle, new IPEndPoint(addrMa, 3435), new IPEndPoint(addrB, 3435), HoldMs, reorderPercent: 10, seed: 7, ct);
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
                await File.WriteAllTextAsync(conf, ShimConfig(addrA, 3435 + i, $"dir = [\"oping={addrMa}:3435\"]"), ct);
                pings.Add(NetNs.Start(a, cubes[i], "overlay", "ping", "oping", "--config", conf, "-c", $"{Count}", "-i", $"{IntervalMs}", "-q", cubes[i], "--timeout", "60", "--wait", Wait(cubes[i])));
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
            var counters = RelayCounters().Matches(relay.Output);
            Assert.True(counters.Count > 0, relay.Output);
            var last = counters[^1];
            output.WriteLine($"relay: {last.Value}");

            Assert.Equal(Count, results["raw"].Sent);
            // Each ping crosses the lossy link twice: P(all 50 arrive) = 0.92^100 < 0.1 %.
            Assert.True(results["raw"].Received < Count, "raw flows have no retransmission: some pings are lost");
            // raw's out-of-order count is reported, not asserted: a raw packet sent at once overtakes the previous raw
            // ping's only if that one is still held (12 ms hold, pings 10 ms apart: a 2 ms margin), so a stalled
            // process on a loaded machine can leave a run without one (1 of 16 runs). The relay's own count below
            // shows the reordering happened; the published claim checked here is "raw loses, data all in order".
            Assert.Equal((Count, Count, 0), results["data"]);
            Assert.Equal(0, results["voice"].OutOfOrder);
            // A voice run whose first packet was lost used to stay silent (0 of 50 in 2 of about 12 runs): the
            // receiver without state now starts at the first packet it sees.
            Assert.True(results["voice"].Received > 0, "voice delivers what follows a lost run start");
            // The relay did reorder: datagrams sent at once overtook held ones (raw shows it when a ping overtakes).
            Assert.True(Int(last, 3) > 0, $"relay: {last.Value}");
        }
        finally
        {
            foreach (var p in pings)
            {
                await p.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// How long each ping waits for its last replies: data delivers all, but when a run's first packet is lost it waits
    /// for the 1 s initial RTO (twice if the resend is lost too; a later loss before the flow has an RTT sample costs
    /// another), which can take longer than oping's 2 s; raw and voice lose pings, so waiting is useless.
    /// </summary>
    private static string Wait(string cube) => cube == "data" ? "10" : "2";

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

    [GeneratedRegex(@"forwarded (\d+) reordered (\d+) overtook (\d+)")]
    private static partial Regex RelayCounters();

    [GeneratedRegex(@"(\d+) packets transmitted, (\d+) received, (\d+) out-of-order[^\n]*\n[^\n]*")]
    private static partial Regex Summary();
}
