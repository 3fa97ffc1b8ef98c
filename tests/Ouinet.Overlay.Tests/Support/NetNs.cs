using System.Diagnostics;
using System.Net;

namespace Ouinet.Overlay.Tests.Support;

/// <summary>
/// Network namespaces that a test creates (root only) and deletes on dispose, joined by veth pairs on a /24 of its own;
/// link impairments through nftables (loss, duplication: <see cref="Impair"/>) and a userspace relay (reordering:
/// <see cref="StartReorderRelayAsync"/>). Commands run with <c>ip netns exec</c>.
/// </summary>
internal sealed class NetNs : IDisposable
{
    private static int _next;
    private readonly List<string> _namespaces = [];
    private readonly int _id;
    private readonly string _prefix;
    private int _links;

    public NetNs()
    {
        _id = Interlocked.Increment(ref _next);
        _prefix = $"ouov{Environment.ProcessId % 10000}x{_id}";
    }

    /// <summary>Why the namespace tests cannot run here, or null: they need root, <c>ip</c> and <c>nft</c>.</summary>
    public static string? Unavailable()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            return "network namespaces need root on Linux";
        }
        foreach (var tool in new[] { "/usr/sbin/ip", "/usr/sbin/nft", "/usr/bin/python3" })
        {
            if (!File.Exists(tool))
            {
                return $"{tool} is missing (test.sh installs iproute2 and nftables; python3 runs the reordering relay)";
            }
        }
        return null;
    }

    /// <summary>The full name of the namespace made by <see cref="Add"/> for <paramref name="role"/>.</summary>
    public string Name(string role) => $"{_prefix}-{role}";

    /// <summary>Creates a namespace (loopback up) and returns its name.</summary>
    public string Add(string role)
    {
        var name = Name(role);
        Run("ip", "netns", "add", name);
        _namespaces.Add(name);
        Run("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    /// <summary>A veth pair between <paramref name="a"/> and <paramref name="b"/> on 10.(200+n).x.0/24; returns (device in a, address in a, device in b, address in b).</summary>
    public (string DevA, IPAddress A, string DevB, IPAddress B) Link(string a, string b)
    {
        var n = _links++;
        var subnet = $"10.{200 + (Environment.ProcessId % 50)}.{((_id * 8) + n) % 256}";
        var devA = $"{_prefix}{n}a";
        var devB = $"{_prefix}{n}b";
        Run("ip", "link", "add", devA, "type", "veth", "peer", "name", devB);
        Run("ip", "link", "set", devA, "netns", a);
        Run("ip", "link", "set", devB, "netns", b);
        Run("ip", "-n", a, "addr", "add", $"{subnet}.1/24", "dev", devA);
        Run("ip", "-n", b, "addr", "add", $"{subnet}.2/24", "dev", devB);
        Run("ip", "-n", a, "link", "set", devA, "up");
        Run("ip", "-n", b, "link", "set", devB, "up");
        return (devA, IPAddress.Parse($"{subnet}.1"), devB, IPAddress.Parse($"{subnet}.2"));
    }

    /// <summary>
    /// Drops <paramref name="lossPercent"/> % and duplicates <paramref name="duplicatePercent"/> % of the UDP datagrams
    /// leaving <paramref name="device"/> (in namespace <paramref name="ns"/>): nftables' egress hook with <c>numgen
    /// random</c>, <c>drop</c> and <c>dup to</c> — what netem's loss and duplicate do, for kernels built without netem.
    /// </summary>
    public static void Impair(string ns, string device, int lossPercent, int duplicatePercent)
    {
        var rules = $$"""
            table netdev impair {
              chain egress {
                type filter hook egress device "{{device}}" priority 0; policy accept;
                meta l4proto udp numgen random mod 100 < {{lossPercent}} counter drop
                meta l4proto udp numgen random mod 100 < {{duplicatePercent}} counter dup to "{{device}}"
              }
            }
            """;
        RunWithInput(rules, "ip", "netns", "exec", ns, "nft", "-f", "-");
    }

    /// <summary>
    /// Starts <c>reorder_relay.py</c> in <paramref name="ns"/>: a UDP relay from <paramref name="listen"/> to
    /// <paramref name="target"/> (and back) that holds every datagram <paramref name="delayMs"/> ms except
    /// <paramref name="reorderPercent"/> % sent at once, as netem's <c>delay D reorder P%</c> (this kernel has no
    /// netem); returns once it listens.
    /// </summary>
    public static async Task<OuinetProcess> StartReorderRelayAsync(string ns, IPEndPoint listen, IPEndPoint target, int delayMs, int reorderPercent, int seed, CancellationToken cancellationToken)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Namespaces", "reorder_relay.py");
        var relay = OuinetProcess.StartCommand("relay", "ip", "netns", "exec", ns, "/usr/bin/python3", script,
            $"{listen.Address}", $"{listen.Port}", $"{target.Address}", $"{target.Port}", $"{delayMs}", $"{reorderPercent}", $"{seed}");
        await relay.WaitUntilAsync(() => relay.Output.Contains("ready", StringComparison.Ordinal), cancellationToken);
        return relay;
    }

    /// <summary>The nftables counters of <paramref name="ns"/> (dropped, duplicated), as nft lists them.</summary>
    public static string Counters(string ns) => Run("ip", "netns", "exec", ns, "nft", "list", "table", "netdev", "impair");

    /// <summary>A <c>ouinet</c> process inside <paramref name="ns"/>.</summary>
    public static OuinetProcess Start(string ns, string name, params string[] args) =>
        OuinetProcess.StartWith(["ip", "netns", "exec", ns, "dotnet"], name, args);

    public void Dispose()
    {
        foreach (var ns in _namespaces)
        {
            // Deleting a namespace deletes the veth ends in it, and so their peers.
            TryRun("ip", "netns", "del", ns);
        }
        _namespaces.Clear();
    }

    private static string Run(params string[] args) => RunWithInput(null, args);

    private static string RunWithInput(string? input, params string[] args)
    {
        var (code, output) = Exec(input, args);
        return code == 0 ? output : throw new InvalidOperationException($"{string.Join(' ', args)} exited {code}: {output}");
    }

    private static void TryRun(params string[] args) => Exec(null, args);

    private static (int Code, string Output) Exec(string? input, string[] args)
    {
        var info = new ProcessStartInfo(args[0]) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null, UseShellExecute = false };
        foreach (var a in args.Skip(1))
        {
            info.ArgumentList.Add(a);
        }
        using var p = System.Diagnostics.Process.Start(info)!;
        if (input is not null)
        {
            p.StandardInput.Write(input);
            p.StandardInput.Close();
        }
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout + stderr.GetAwaiter().GetResult());
    }
}
