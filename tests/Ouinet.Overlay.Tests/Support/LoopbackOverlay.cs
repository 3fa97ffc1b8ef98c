using System.Net;
using System.Net.Sockets;
using Ouinet.Overlay.Configuration;

namespace Ouinet.Overlay.Tests.Support;

/// <summary>Configs for nodes on real loopback UDP ports: node i is "uni.i" on 127.0.0.1:port(i), in a line by default.</summary>
internal static class LoopbackOverlay
{
    public static int[] FreePorts(int count)
    {
        var sockets = Enumerable.Range(0, count).Select(_ =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            return s;
        }).ToList();
        var ports = sockets.Select(s => ((IPEndPoint)s.LocalEndPoint!).Port).ToArray();
        sockets.ForEach(s => s.Dispose());
        return ports;
    }

    /// <summary>
    /// The irmd.conf text of member <paramref name="i"/>: enrols through and connects to <paramref name="up"/> (none:
    /// bootstraps); with fast link-state timers unless <paramref name="timers"/> is false (a member that enrols takes
    /// the layer's anyway).
    /// </summary>
    public static string Config(int i, int[] ports, int[] up, string extra = "", string uniExtra = "", bool timers = true)
    {
        var dir = string.Join(", ", Enumerable.Range(0, ports.Length).Where(j => j != i).Select(j => $"\"uni.{j}=127.0.0.1:{ports[j]}\""));
        var role = up.Length == 0 ? "bootstrap = \"uni\"" : $"enrol = \"uni.{up[0]}\"\nconn = [{string.Join(", ", up.Select(u => $"\"uni.{u}\""))}]";
        return $"""
            {extra}
            [udp4.udp]
            bootstrap = "udp"
            ip = "127.0.0.1"
            port = {ports[i]}
            dir = [{dir}]
            reg = ["uni.{i}"]

            [unicast."uni.{i}"]
            {role}
            {(timers ? "ls_t_recalc = 0.1\nls_t_update = 2\nls_t_timeo = 6" : "")}
            conn_timeout = 1000
            {uniExtra}
            """;
    }

    public static OverlayNode Start(string config)
    {
        var node = OverlayNode.Create(IrmdConfig.Parse(config, "test"));
        node.StartAsync().GetAwaiter().GetResult();
        return node;
    }

    public static async Task WaitResolvableAsync(OverlayNode node, string name, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        while (!await node.CanResolveAsync(name, timeout.Token))
        {
            await Task.Delay(50, timeout.Token);
        }
    }
}
