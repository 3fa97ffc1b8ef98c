using System.Globalization;
using System.Text.RegularExpressions;
using Ouinet.Overlay.Tests.Support;

namespace Ouinet.Overlay.Tests.Process;

/// <summary>
/// Overlays of real <c>ouinet overlay node</c> processes on loopback UDP ports, in a line, a star and a ring. An
/// <c>ouinet overlay ping</c> process joins through one member (a new member connected to that one only), resolves
/// the name through the layer's DHT directory and pings it; killing a member on the path makes routing reconverge.
/// </summary>
[Collection(ProcessCollection.Name)]
public partial class TopologyProcessTests(ITestOutputHelper output)
{
    private const string Name = "oping";

    /// <summary>Member i's upstream members: the first is the one it enrols through; it connects to all of them.</summary>
    public static TheoryData<string> Topologies => ["line", "star", "ring"];

    private static int[] Up(string topology, int i, int count) => (topology, i) switch
    {
        (_, 0) => [],
        ("star", _) => [0],
        ("ring", _) when i == count - 1 => [i - 1, 0],
        _ => [i - 1],
    };

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Topologies))]
    public async Task A_name_registered_at_one_member_resolves_through_the_directory_and_answers_pings_from_every_other_member(string topology)
    {
        var ct = TestContext.Current.CancellationToken;
        const int Members = 4;
        using var dir = new TempDirectory("overlay-topology");
        // The name lives at the last member: two or three hops from the others in a line, two through the hub in a star.
        var ports = LoopbackOverlay.FreePorts(Members + Members - 1);
        await using var nodes = await StartMembersAsync(dir, ports, Members, topology, nameAt: Members - 1, ct);
        var pings = new List<OuinetProcess>();
        try
        {
            for (var i = 0; i < Members - 1; i++)
            {
                var conf = dir.Combine($"ping{i}.conf");
                await File.WriteAllTextAsync(conf, LoopbackOverlay.Config(Members + i, ports, [i]), ct);
                pings.Add(OuinetProcess.Start($"ping via {i}", "overlay", "ping", Name, "--config", conf, "-c", "3", "-i", "50", "-q", "data", "--timeout", "60"));
            }
            for (var i = 0; i < pings.Count; i++)
            {
                Assert.Equal(0, await pings[i].WaitForExitAsync(ct));
                output.WriteLine($"{topology}, through member {i}:\n{pings[i].Output}");
                Assert.Contains("3 packets transmitted, 3 received", pings[i].Output, StringComparison.Ordinal);
            }
            Assert.DoesNotContain(nodes.All, n => n.HasExited);
        }
        finally
        {
            foreach (var p in pings)
            {
                await p.DisposeAsync();
            }
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Killing_the_member_on_the_shortest_path_reroutes_pings_the_long_way_round_a_ring()
    {
        var ct = TestContext.Current.CancellationToken;
        // Ring 0-1-2-3-4-0; the name at 0; the pinger joins through 2: its shortest path is 2-1-0, the other way 2-3-4-0.
        const int Members = 5;
        const int IntervalMs = 20;
        using var dir = new TempDirectory("overlay-ring");
        var ports = LoopbackOverlay.FreePorts(Members + 1);
        await using var nodes = await StartMembersAsync(dir, ports, Members, "ring", nameAt: 0, ct);
        var conf = dir.Combine("ping.conf");
        await File.WriteAllTextAsync(conf, LoopbackOverlay.Config(Members, ports, [2]), ct);
        await using var ping = OuinetProcess.Start("ping", "overlay", "ping", Name, "--config", conf, "-c", "100000", "-i", IntervalMs.ToString(CultureInfo.InvariantCulture), "-q", "raw", "--timeout", "60", "--duration", "60");
        await ping.WaitUntilAsync(() => Replies(ping.Output).Count >= 50, ct);
        var killedAfter = Replies(ping.Output).Max();
        await nodes.All[1].KillAsync();
        // Routing has reconverged once pings flow again: wait for 50 more replies past the kill.
        await ping.WaitUntilAsync(() => Replies(ping.Output).Count(s => s > killedAfter) >= 50, ct);
        var seqs = Replies(ping.Output).Order().ToList();
        var gap = seqs.Zip(seqs.Skip(1), (a, b) => b - a).Max();
        var outage = TimeSpan.FromMilliseconds(gap * IntervalMs);
        output.WriteLine($"member 1 killed after seq {killedAfter}; longest run of lost pings {gap - 1} ({outage.TotalMilliseconds:0} ms at {IntervalMs} ms intervals)");
        // conn_timeout is 1 s in these configs: the loss of the member is noticed, withdrawn and routed around in
        // seconds (the bench records the figure); the bound only says it did not take a lower layer's 120 s.
        Assert.True(outage < TimeSpan.FromSeconds(20), $"pings stopped for {outage}");
        Assert.True(gap > 1, "killing the member on the path lost pings: the path went through it");
    }

    private static List<uint> Replies(string text) =>
        [.. ReplyLine().Matches(text).Select(m => uint.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];

    [GeneratedRegex(@"bytes from \S+: seq=(\d+)")]
    private static partial Regex ReplyLine();

    private static async Task<Members> StartMembersAsync(TempDirectory dir, int[] ports, int count, string topology, int nameAt, CancellationToken ct)
    {
        var members = new Members();
        for (var i = 0; i < count; i++)
        {
            var serves = i == nameAt;
            var conf = dir.Combine($"n{i}.conf");
            await File.WriteAllTextAsync(conf, LoopbackOverlay.Config(i, ports, Up(topology, i, count), serves ? $"[name.{Name}]\nprog = [\"oping\"]" : "", serves ? $"reg = [\"{Name}\"]" : ""), ct);
            members.All.Add(OuinetProcess.Start($"member {i}", "overlay", "node", "--config", conf));
        }
        return members;
    }

    private sealed class Members : IAsyncDisposable
    {
        public List<OuinetProcess> All { get; } = [];

        public async ValueTask DisposeAsync()
        {
            foreach (var p in All)
            {
                await p.DisposeAsync();
            }
        }
    }
}
