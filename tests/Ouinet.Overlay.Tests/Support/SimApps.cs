using Ouinet.Overlay.Simulation;
using Ouinet.Overlay.Tools;

namespace Ouinet.Overlay.Tests.Support;

/// <summary>Tool logic driven entirely by simulated-time events (no thread pool): oping's client and ocbr's sender.</summary>
internal static class SimApps
{
    /// <summary>Binds an echo (oping server) to <paramref name="name"/>.</summary>
    public static void Echo(OverlayNode node, string name)
    {
        node.BindInternal(name, flow => { LastEcho = flow; flow.Sink = m =>
        {
            if (PingMessage.TryRead(m, out var type, out _, out _) && type == PingMessage.EchoRequest)
            {
                PingMessage.MakeReply(m);
            }
            flow.TrySend(m);
        }; });
    }

    public static Flow? LastEcho { get; private set; }

    /// <summary>Pings over <paramref name="flow"/> like <c>oping -c count -i interval</c>; returns oping's statistics.</summary>
    public static PingStatistics Ping(SimulatedTime time, OverlayNode node, Flow flow, int count, TimeSpan interval, int size = 64, TimeSpan? wait = null)
    {
        var stats = new PingStatistics(flow.Name, size);
        flow.Sink = m =>
        {
            if (PingMessage.TryRead(m, out var type, out var id, out var sent) && type == PingMessage.EchoReply)
            {
                stats.OnReply(id, (time.Elapsed - sent).TotalMilliseconds);
            }
        };
        var start = time.Elapsed;
        for (uint id = 0; id < count; id++)
        {
            lock (node.Context.Gate)
            {
                flow.TrySend(PingMessage.Create(id, time.Elapsed, size));
            }
            stats.Transmitted++;
            time.RunFor(interval);
        }
        time.RunFor(wait ?? TimeSpan.FromSeconds(2));
        _ = start;
        return stats;
    }

    /// <summary>
    /// ocbr: sends <paramref name="size"/>-byte messages at <paramref name="rate"/> bit/s from <paramref name="from"/>
    /// to <paramref name="until"/> (simulated time); a message the flow cannot take (congestion avoidance holding the
    /// queue) is not sent, as a blocking writer would not have sent it.
    /// </summary>
    public static ITimer Cbr(SimulatedTime time, OverlayNode node, Flow flow, long rate, int size, TimeSpan until)
    {
        var interval = TimeSpan.FromSeconds(size * 8.0 / rate);
        return time.CreateTimer(_ =>
        {
            if (time.Elapsed > until)
            {
                return;
            }
            lock (node.Context.Gate)
            {
                flow.TrySend(new byte[size]);
            }
        }, null, TimeSpan.Zero, interval);
    }
}
