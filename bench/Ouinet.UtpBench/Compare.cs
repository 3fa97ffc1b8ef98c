using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Ouinet.Utp.Tests.Support;

namespace Ouinet.UtpBench;

/// <summary>
/// Runs every configuration <c>runs</c> times, interleaved (so a noisy neighbour hurts all of them alike), and writes
/// the median table: our uTP (large loopback datagrams, and 1400-byte packets), libtorrent's uTP (utp_peer.py seed to
/// leech, 4 MiB socket buffers), TCP over loopback for context; then the same through a relay dropping 1 %; then two
/// flows at once for fairness.
/// </summary>
internal static class Compare
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);

    private enum Kind
    {
        Tcp,
        Utp,
        UtpSmall,
        UtpSmallPlain,
        Libtorrent,
    }

    private sealed record Result(double MBps, double CpuMsPerMB, string Detail);

    public static async Task<int> RunAsync(Arguments args)
    {
        var size = args.Long("size", 256L << 20);
        var runs = (int)args.Long("runs", 3);
        var output = args.Get("out");
        var interop = FindInterop();
        var clean = new List<Kind> { Kind.Tcp, Kind.Utp, Kind.UtpSmall, Kind.UtpSmallPlain };
        var lossy = new List<Kind> { Kind.Utp, Kind.UtpSmall };
        if (interop is not null)
        {
            clean.Insert(1, Kind.Libtorrent);
            lossy.Insert(0, Kind.Libtorrent);
        }
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
        var results = new Dictionary<(Kind, double), List<Result>>();
        for (var run = 1; run <= runs; run++)
        {
            foreach (var (kinds, loss) in new[] { (clean, 0.0), (lossy, 0.01) })
            {
                foreach (var kind in kinds)
                {
                    var result = kind == Kind.Libtorrent ? await LibtorrentAsync(interop!, size, loss) : await OursAsync(kind, size, loss);
                    Console.Error.WriteLine($"run {run}: {Name(kind)}, loss {loss:P0}: {result.MBps:F1} MB/s, {result.CpuMsPerMB:F2} ms CPU/MB {result.Detail}");
                    (results.TryGetValue((kind, loss), out var list) ? list : results[(kind, loss)] = []).Add(result);
                }
            }
        }
        var fairness = new List<(string Name, double[] Flows)>();
        foreach (var kind in new[] { Kind.Utp, Kind.UtpSmall })
        {
            var flows = await FairnessAsync(kind, seconds: 4);
            Console.Error.WriteLine($"fairness {Name(kind)}: {string.Join(", ", flows.Select(f => f.ToString("F1", CultureInfo.InvariantCulture)))} MB/s");
            fairness.Add((Name(kind), flows));
        }
        load += " → " + (File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?");
        var table = Table(size, runs, results, fairness, interop is not null, load);
        Console.WriteLine(table);
        if (output is not null)
        {
            await File.WriteAllTextAsync(output, table);
        }
        return 0;
    }

    private static async Task<Result> OursAsync(Kind kind, long size, double loss)
    {
        var tcp = kind == Kind.Tcp;
        var extra = kind is Kind.UtpSmall or Kind.UtpSmallPlain ? new[] { "--small-packets" } : [];
        // Both ends without UDP segmentation offload (UdpFastPaths in Ouinet.Net reads these).
        var environment = kind == Kind.UtpSmallPlain ? new Dictionary<string, string> { ["OUINET_UDP_GSO"] = "0", ["OUINET_UDP_GRO"] = "0" } : null;
        await using var receiver = Child.Self(environment, [tcp ? "tcp-recv" : "utp-recv", .. extra]);
        var port = int.Parse((await receiver.WaitLineAsync(l => l.StartsWith("ready ", StringComparison.Ordinal), Patience))[6..], CultureInfo.InvariantCulture);
        await using var relay = loss > 0 ? new LossyUdpRelay(new IPEndPoint(IPAddress.Loopback, port), new RelayImpairments { Loss = loss }, seed: 1) : null;
        var target = relay?.EndPoint ?? new IPEndPoint(IPAddress.Loopback, port);
        await using var sender = Child.Self(environment, [tcp ? "tcp-send" : "utp-send", "--peer", target.ToString(), "--bytes", $"{size}", .. extra]);
        var sent = JsonDocument.Parse(await sender.WaitLineAsync(l => l.StartsWith('{'), Patience)).RootElement;
        var received = JsonDocument.Parse(await receiver.WaitLineAsync(l => l.StartsWith('{'), Patience)).RootElement;
        var flow = received.GetProperty("flows")[0];
        var bytes = flow.GetProperty("bytes").GetInt64();
        if (bytes != size)
        {
            throw new InvalidOperationException($"{Name(kind)} delivered {bytes} of {size} bytes");
        }
        var seconds = flow.GetProperty("seconds").GetDouble();
        var cpu = sent.GetProperty("cpu_seconds").GetDouble() + received.GetProperty("cpu_seconds").GetDouble();
        var detail = (relay is null ? "" : $"(relay dropped {relay.Dropped}) ")
            + (sent.TryGetProperty("retransmissions", out var resent) ? $"(resent {resent}, timeouts {sent.GetProperty("timeouts")}, srtt {sent.GetProperty("rtt_ms").GetDouble():F1} ms)" : "");
        return new Result(bytes / seconds / 1e6, cpu * 1000 / (bytes / 1e6), detail);
    }

    private static async Task<Result> LibtorrentAsync(string interop, long size, double loss)
    {
        string[] common = ["--size", $"{size}", "--sockbuf", "4194304", "--timeout", "600"];
        // One connection, the leech's: the seed would otherwise dial the leech's listen port (learned in the extension
        // handshake) and that direct connection would bypass the lossy relay.
        await using var seed = Child.Start("/usr/bin/python3", ["utp_peer.py", "listen", "--set", "enable_outgoing_utp=false", .. common], interop);
        var ready = JsonDocument.Parse(await seed.WaitLineAsync(l => l.Contains("\"ready\"", StringComparison.Ordinal), Patience)).RootElement;
        var port = ready.GetProperty("port").GetInt32();
        await using var relay = loss > 0 ? new LossyUdpRelay(new IPEndPoint(IPAddress.Loopback, port), new RelayImpairments { Loss = loss }, seed: 1) : null;
        var target = relay?.EndPoint ?? new IPEndPoint(IPAddress.Loopback, port);
        await using var leech = Child.Start("/usr/bin/python3",
            ["utp_peer.py", "connect", "--peer", target.ToString(), "--leech", "--exit-when-done", "--set", "enable_incoming_utp=false", .. common], interop);
        await leech.WaitLineAsync(l => l.Contains("\"peer_connect\"", StringComparison.Ordinal), Patience);
        var cpuBefore = seed.CpuSeconds() + leech.CpuSeconds();
        var finished = JsonDocument.Parse(await leech.WaitLineAsync(l => l.Contains("\"finished\"", StringComparison.Ordinal), Patience)).RootElement;
        var cpu = seed.CpuSeconds() + leech.CpuSeconds() - cpuBefore;
        _ = await leech.WaitLineAsync(l => l.Contains("\"exit\"", StringComparison.Ordinal), Patience);
        await seed.StopAsync(); // SIGTERM: the seed prints its uTP counters
        var stats = JsonDocument.Parse(await seed.WaitLineAsync(l => l.Contains("\"utp_stats\"", StringComparison.Ordinal), Patience)).RootElement;
        var detail = (relay is null ? "" : $"(relay dropped {relay.Dropped}) ")
            + $"(seed resent {stats.GetProperty("utp_packet_resend").GetInt64()}, fast {stats.GetProperty("utp_fast_retransmit").GetInt64()}, timeouts {stats.GetProperty("utp_timeout").GetInt64()})";
        return new Result(finished.GetProperty("MBps").GetDouble(), cpu * 1000 / (size / 1e6), detail);
    }

    private static async Task<double[]> FairnessAsync(Kind kind, double seconds)
    {
        var extra = kind == Kind.UtpSmall ? new[] { "--small-packets" } : [];
        await using var receiver = Child.Self(null, ["utp-recv", "--flows", "2", .. extra]);
        var port = (await receiver.WaitLineAsync(l => l.StartsWith("ready ", StringComparison.Ordinal), Patience))[6..];
        await using var sender = Child.Self(null, ["utp-send", "--peer", $"127.0.0.1:{port}", "--flows", "2", "--bytes", $"{long.MaxValue / 4}",
            "--seconds", seconds.ToString(CultureInfo.InvariantCulture), .. extra]);
        var received = JsonDocument.Parse(await receiver.WaitLineAsync(l => l.StartsWith('{'), Patience)).RootElement;
        return [.. received.GetProperty("flows").EnumerateArray().Select(f => f.GetProperty("bytes").GetInt64() / f.GetProperty("seconds").GetDouble() / 1e6)];
    }

    private static string Name(Kind kind) => kind switch
    {
        Kind.Tcp => "TCP (loopback, for context)",
        Kind.Utp => "Ouinet.Utp (64000-byte loopback datagrams)",
        Kind.UtpSmall => "Ouinet.Utp (1400-byte packets, as to any non-loopback peer)",
        Kind.UtpSmallPlain => "Ouinet.Utp (1400-byte packets, without UDP segmentation offload)",
        _ => "libtorrent 2.0.8 uTP (utp_peer.py, 4 MiB socket buffers)",
    };

    private static string? FindInterop()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ouinet.slnx")))
            {
                var interop = Path.Combine(dir.FullName, "tests", "interop", "libtorrent");
                return File.Exists(Path.Combine(interop, "utp_peer.py")) ? interop : null;
            }
        }
        return null;
    }

    private static string Table(long size, int runs, Dictionary<(Kind, double), List<Result>> results, List<(string Name, double[] Flows)> fairness, bool haveLibtorrent, string load)
    {
        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"# uTP bulk transfer on loopback: Ouinet.Utp, libtorrent's uTP, TCP");
        text.AppendLine();
        text.AppendLine(c, $"Rerun with `bench/run.sh utp` (or `dotnet bench/Ouinet.UtpBench/bin/Release/net10.0/Ouinet.UtpBench.dll compare --size {size} --runs {runs}`).");
        text.AppendLine(c, $"Generated {DateTime.UtcNow:yyyy-MM-dd} on {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}; 1-minute load average before → after: {load}.");
        text.AppendLine(c, $"Each transfer moves {size / (1 << 20)} MiB from one process to another; every configuration ran {runs} times, interleaved, in this one run. MB = 10^6 bytes.");
        text.AppendLine();
        foreach (var loss in new[] { 0.0, 0.01 })
        {
            text.AppendLine(loss == 0 ? "## Clean loopback" : "## 1 % loss (each direction, through the lossy UDP relay of the tests)");
            text.AppendLine();
            text.AppendLine("| transfer | MB/s (median) | runs (MB/s) | CPU ms per MB (both ends) | vs libtorrent uTP |");
            text.AppendLine("|---|---:|---|---:|---:|");
            var baseline = haveLibtorrent && results.TryGetValue((Kind.Libtorrent, loss), out var lt) ? Median(lt.Select(r => r.MBps)) : double.NaN;
            foreach (var ((kind, l), list) in results.Where(r => r.Key.Item2 == loss))
            {
                var median = Median(list.Select(r => r.MBps));
                var ratio = double.IsNaN(baseline) ? "–" : (median / baseline).ToString("F2", c) + "×";
                text.AppendLine(c, $"| {Name(kind)} | {median:F1} | {string.Join(", ", list.Select(r => r.MBps.ToString("F1", c)))} | {Median(list.Select(r => r.CpuMsPerMB)):F2} | {ratio} |");
            }
            text.AppendLine();
        }
        text.AppendLine("## Two flows at once (fair sharing, 4 s, one socket each end)");
        text.AppendLine();
        text.AppendLine("Two connections between the same two sockets (two processes), both sending for 4 s; Jain's index is 1 for an even split, 0.5 when one flow takes all.");
        text.AppendLine();
        text.AppendLine("| transfer | flow 1 MB/s | flow 2 MB/s | Jain's index |");
        text.AppendLine("|---|---:|---:|---:|");
        foreach (var (name, flows) in fairness)
        {
            var jain = Math.Pow(flows.Sum(), 2) / (flows.Length * flows.Sum(f => f * f));
            text.AppendLine(c, $"| {name} | {flows[0]:F1} | {flows[1]:F1} | {jain:F3} |");
        }
        text.AppendLine();
        text.AppendLine("## How the rows are measured");
        text.AppendLine();
        text.AppendLine("* Sender and receiver are separate processes. Ouinet.Utp and TCP: the receiver times from the connection to the end of the stream; CPU is user + system time of both processes over the transfer, each measuring itself. The data is random bytes from memory, read into memory.");
        text.AppendLine("* libtorrent: `utp_peer.py listen` seeds a generated torrent, `utp_peer.py connect --leech --exit-when-done` downloads it (uTP only, 4 MiB socket buffers as the interop README advises). MB/s is what the leech reports, from `peer_connect` to `torrent_finished`: it includes libtorrent's SHA-1 of every piece and the writes to /tmp (page cache), which our rows do not do. CPU is read from /proc for both Python processes between those two events.");
        text.AppendLine("* \"64000-byte loopback datagrams\": both ends are Ouinet.Utp on a loopback address, so each announces (extension `DatagramLimit`) that it takes large datagrams and packets grow to 64000 bytes — the loopback MTU is 65536, which TCP over loopback uses as well. libtorrent reads datagrams into 1500 bytes and never announces it; it, and any peer not on loopback, always gets the \"1400-byte packets\" row's behaviour.");
        text.AppendLine("* \"1400-byte packets\": on Linux, `Ouinet.Net` hands a run of equal-size packets to one peer to the kernel in one system call, and the kernel cuts it into the datagrams (UDP segmentation offload, `UDP_SEGMENT`); its receive thread asks for such runs whole (`UDP_GRO`) and cuts them up again. On loopback a run of up to 46 packets crosses the network stack once; the peer still gets 1400-byte datagrams. The row \"without UDP segmentation offload\" turns both off at both ends (`OUINET_UDP_GSO=0 OUINET_UDP_GRO=0`): every datagram crosses the stack on its own, several per system call (`sendmmsg`, `recvmmsg`), as on a kernel without them. libtorrent uses neither: one `sendto` and one receive per datagram.");
        text.AppendLine("* 1 % loss: the lossy relay of the tests (`tests/Ouinet.Utp.Tests/Support/LossyUdpRelay.cs`) runs inside the benchmark's own process between the two ends and drops 1 % of datagrams each way (seeded); its CPU is not counted. TCP has no lossy row (the relay is UDP).");
        text.AppendLine("* The machine is shared with other work and the figures move from run to run; compare rows of one run (the runs are interleaved for that reason).");
        return text.ToString();
    }
}
