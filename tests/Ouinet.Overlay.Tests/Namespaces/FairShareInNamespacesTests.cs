using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Ouinet.Overlay.Tests.Support;

namespace Ouinet.Overlay.Tests.Namespaces;

/// <summary>
/// Ouroboros' MB-ECN experiment (blogs 2020-12-12/19) with real processes, each member in its own network namespace
/// (created by the test): two clients and a server joined through a router whose overlay queue is capped (<c>rate</c>,
/// where MB-ECN sees the queue build up, as the report says it must be); each client sends ocbr at 80 % of the cap.
/// Alone, a flow gets what it sends; with two, both converge to a fair share. Scaled down from 100 Mb/s to 20 Mb/s
/// for a shared 2-core machine. The measured convergence time goes to bench/results/overlay.md.
/// </summary>
[Collection(ProcessCollection.Name)]
public partial class FairShareInNamespacesTests(ITestOutputHelper output)
{
    private const long Cap = 20_000_000;
    private const long Rate = 16_000_000;
    private const int BinMs = 20;

    /// <summary>How long after the second flow joins the fair share is measured from.</summary>
    private const int Settle = 500;

    [Fact(Timeout = 240_000)]
    public async Task Two_flows_through_a_rate_limited_member_converge_to_a_fair_share()
    {
        if (NetNs.Unavailable() is { } reason)
        {
            Assert.Skip(reason);
        }
        var ct = TestContext.Current.CancellationToken;
        using var net = new NetNs();
        var router = net.Add("r");
        var (_, routerToServer, _, server) = net.Link(router, net.Add("s"));
        var (_, routerToC1, _, c1) = net.Link(router, net.Add("c1"));
        var (_, routerToC2, _, c2) = net.Link(router, net.Add("c2"));
        using var dir = new TempDirectory("overlay-fairshare");
        string Conf(string file, string text)
        {
            File.WriteAllText(dir.Combine(file), text);
            return dir.Combine(file);
        }

        // The router binds every address (one shim socket, reached on each link at its own address).
        await using var routerNode = NetNs.Start(router, "router", "overlay", "node", "--config", Conf("r.conf",
            Member(0, IPAddress.Any, $"\"uni.1={server}:3435\", \"uni.2={c1}:3435\", \"uni.3={c2}:3435\"", null, $"rate = {Cap}")));
        await using var serverNode = NetNs.Start(net.Name("s"), "server", "overlay", "node", "--config", Conf("s.conf",
            Member(1, server, $"\"uni.0={routerToServer}:3435\"", 0, "reg = [\"ocbr\"]", $"[name.ocbr]\nprog = [\"ocbr\"]\nargs = [\"-i\", \"{BinMs}\"]")));
        var c1Conf = Conf("c1.conf", Member(2, c1, $"\"uni.0={routerToC1}:3435\"", 0, ""));
        var c2Conf = Conf("c2.conf", Member(3, c2, $"\"uni.0={routerToC2}:3435\"", 0, ""));
        string[] Perf(string conf, int seconds) =>
            ["overlay", "perf", "ocbr", "--config", conf, "-q", "raw", "-s", "1000", "-r", $"{Rate}", "-d", $"{seconds}", "--timeout", "60"];

        await using var first = NetNs.Start(net.Name("c1"), "c1", Perf(c1Conf, 10));
        try
        {
            await serverNode.WaitUntilAsync(() => Series(serverNode.Output, 1).Count >= 1500 / BinMs, ct);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"{e.Message}\n--c1--\n{first.Output}\n--router--\n{routerNode.Output}", e);
        }
        await using var second = NetNs.Start(net.Name("c2"), "c2", Perf(c2Conf, 4));
        string Outputs() => $"--c1--\n{first.Output}\n--c2--\n{second.Output}\n--router--\n{routerNode.Output}";
        Assert.True(await second.WaitForExitAsync(ct) == 0, $"c2 failed\n{Outputs()}");
        Assert.True(await first.WaitForExitAsync(ct) == 0, $"c1 failed\n{Outputs()}");

        var a = Series(serverNode.Output, 1);
        var b = Series(serverNode.Output, 2);
        var joined = b.First(p => p.Mbps > 0).T;
        // Together until either ends (on a loaded machine the second may take seconds to start).
        var left = Math.Min(a.Last(p => p.Mbps > 0).T, b.Last(p => p.Mbps > 0).T);
        double Mean(List<(double T, double Mbps)> s, double from, double to) => s.Where(p => p.T > from && p.T <= to).Select(p => p.Mbps).DefaultIfEmpty(0).Average();
        var alone = Mean(a, joined - 1000, joined);
        var shareA = Mean(a, joined + Settle, left - 100);
        var shareB = Mean(b, joined + Settle, left - 100);
        var firstFair = FirstFairWindow(a, b, joined, left - 100);
        // From Settle on, every 250 ms: each flow's part of what the two carried.
        var quarters = new List<(double T, double A, double B)>();
        for (var t = joined + Settle; t + 250 <= left - 100; t += 250)
        {
            quarters.Add((t - joined, Mean(a, t, t + 250), Mean(b, t, t + 250)));
        }
        var fair = quarters.Count(q => q.A + q.B > 0 && q.A / (q.A + q.B) is >= 0.35 and <= 0.65);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"alone {alone:0.0} Mb/s; together {shareA:0.0} and {shareB:0.0} Mb/s; first fair 100 ms window (40-60 %) {(firstFair is { } f ? $"{f:0} ms" : "never")} after the second flow's first packets; {fair} of {quarters.Count} 250 ms windows from {Settle} ms on with each flow at 35-65 %"));
        for (var t = joined - 1000; t < left + 500; t += 250)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{t - joined,6:0} ms: {Mean(a, t, t + 250),5:0.0} {Mean(b, t, t + 250),5:0.0} Mb/s"));
        }

        // Alone, the flow gets what it sends (16 of the 20 Mb/s cap); 70 % because a process stalled by a loaded
        // machine sends less for a while (seen once in 19 runs at load 38: below 80 %).
        Assert.True(alone > Rate / 1e6 * 0.7, $"alone {alone:0.0} Mb/s");
        // Together, the cap binds (32 Mb/s offered) and each flow has 35-65 % of what both carry.
        Assert.True(shareA + shareB < Cap / 1e6 * 1.15, $"{shareA:0.0} + {shareB:0.0} Mb/s through a {Cap / 1e6} Mb/s cap");
        Assert.InRange(shareA / (shareA + shareB), 0.35, 0.65);
        // They reach a fair share within a second and keep it: each flow at 35-65 % in at least 3 of 4 windows of
        // 250 ms. Tolerant because real processes on a shared, loaded machine stall now and then (a stalled sender
        // looks like one that sends less); the figures go to bench/results/overlay.md.
        Assert.True(firstFair < 1000, $"first fair window at {firstFair?.ToString(CultureInfo.InvariantCulture) ?? "never"} ms");
        Assert.True(fair >= quarters.Count * 0.75, $"only {fair} of {quarters.Count} windows fair");
    }

    /// <summary>When the first 100 ms window (every 20 ms) from <paramref name="from"/> on is fair (each flow 40-60 %), in ms after <paramref name="from"/>.</summary>
    private static double? FirstFairWindow(List<(double T, double Mbps)> a, List<(double T, double Mbps)> b, double from, double to)
    {
        for (var t = from; t + 100 <= to; t += BinMs)
        {
            var x = a.Where(p => p.T > t && p.T <= t + 100).Sum(p => p.Mbps);
            var y = b.Where(p => p.T > t && p.T <= t + 100).Sum(p => p.Mbps);
            if (x + y > 0 && Math.Abs(x - y) / (x + y) <= 0.2)
            {
                return t - from;
            }
        }
        return null;
    }

    /// <summary>Member i of layer "uni" on its own namespace's address; enrols through (and connects to) member <paramref name="up"/>.</summary>
    private static string Member(int i, IPAddress ip, string dir, int? up, string uniExtra, string top = "") => $"""
        {top}
        [udp4.udp]
        bootstrap = "udp"
        ip = "{ip}"
        port = 3435
        dir = [{dir}]
        reg = ["uni.{i}"]

        [unicast."uni.{i}"]
        {(up is null ? "bootstrap = \"uni\"" : $"enrol = \"uni.{up}\"\nconn = [\"uni.{up}\"]")}
        ls_t_recalc = 0.1
        ls_t_update = 2
        ls_t_timeo = 6
        conn_timeout = 5000
        {uniExtra}
        """;

    /// <summary>The server's interval lines of flow <paramref name="flow"/>: (ms since the server started, Mbit/s).</summary>
    private static List<(double T, double Mbps)> Series(string text, int flow) =>
        [.. IntervalLine().Matches(text).Where(m => m.Groups[2].Value == flow.ToString(CultureInfo.InvariantCulture))
            .Select(m => (double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture)))];

    [GeneratedRegex(@"\[(\d+)\] Flow (\d+): .* ([0-9.]+) Mbps")]
    private static partial Regex IntervalLine();
}
