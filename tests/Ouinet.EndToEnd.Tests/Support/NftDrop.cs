using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Ouinet.EndToEnd.Tests.Support;

/// <summary>
/// A blocked path on loopback, as a censor would block it: an nftables table of its own (root only) that silently drops
/// UDP from one source address to one endpoint on arrival (the input hook: the sender's <c>sendto</c> succeeds, the
/// datagram never arrives); deleted on dispose. Only that address/endpoint pair is touched.
/// </summary>
internal sealed class NftDrop : IDisposable
{
    private static int _next;
    private readonly string _table;

    private NftDrop(string table) => _table = table;

    public static NftDrop Udp(IPAddress from, IPEndPoint to)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists("/usr/sbin/nft"))
        {
            throw new InvalidOperationException("Blocking a path needs root and /usr/sbin/nft (test.sh installs nftables).");
        }
        var table = $"ouinet_e2e_{Environment.ProcessId}_{Interlocked.Increment(ref _next)}";
        var port = to.Port.ToString(CultureInfo.InvariantCulture);
        Run($"add table ip {table}\n"
            + $"add chain ip {table} in {{ type filter hook input priority 0; }}\n"
            + $"add rule ip {table} in ip saddr {from} ip daddr {to.Address} udp dport {port} drop\n");
        return new NftDrop(table);
    }

    public void Dispose() => Run($"delete table ip {_table}\n");

    private static void Run(string rules)
    {
        using var nft = Process.Start(new ProcessStartInfo("/usr/sbin/nft", ["-f", "-"]) { RedirectStandardInput = true, RedirectStandardError = true })!;
        nft.StandardInput.Write(rules);
        nft.StandardInput.Close();
        var error = nft.StandardError.ReadToEnd();
        nft.WaitForExit();
        if (nft.ExitCode != 0)
        {
            throw new InvalidOperationException($"nft failed ({nft.ExitCode}): {error}\n{rules}");
        }
    }
}
