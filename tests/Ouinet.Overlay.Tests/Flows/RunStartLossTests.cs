using Ouinet.Overlay.Tests.Support;

namespace Ouinet.Overlay.Tests.Flows;

/// <summary>
/// A run whose first packet (the one with DRF) is lost, in simulated time over a <see cref="SimulatedFlowPair"/>:
/// 50 messages 10 ms apart, 10 ms one way, only the run start dropped (once). The receiver has no state yet, so
/// Delta-t's rule alone (accept only DRF) would drop what follows.
/// </summary>
public class RunStartLossTests
{
    private static readonly TimeSpan OneWay = TimeSpan.FromMilliseconds(10);

    private static (SimulatedFlowPair Pair, List<(int Index, TimeSpan At)> Received) SendFiftyLosingTheRunStart(QosSpec qos)
    {
        var pair = new SimulatedFlowPair(qos, OneWay);
        var dropped = false;
        pair.DropAtoB = sdu => !dropped && SimulatedFlowPair.IsRunStart(sdu) && (dropped = true);
        var received = new List<(int, TimeSpan)>();
        pair.B.Sink = m => received.Add((m[0], pair.Time.Elapsed));
        for (var i = 0; i < 50; i++)
        {
            pair.SendFromA([(byte)i]);
            pair.Time.RunFor(TimeSpan.FromMilliseconds(10));
        }
        Assert.True(dropped);
        return (pair, received);
    }

    [Fact]
    public void An_unreliable_in_order_flow_delivers_what_follows_a_lost_run_start_in_order()
    {
        var (pair, received) = SendFiftyLosingTheRunStart(QosSpec.Voice);
        pair.Time.RunFor(TimeSpan.FromSeconds(1));

        // Everything but the lost first message, in order (nothing is retransmitted on a voice flow).
        Assert.Equal(Enumerable.Range(1, 49), received.Select(r => r.Index));
    }

    [Fact]
    public void A_reliable_flow_resends_what_the_receiver_dropped_as_soon_as_the_resent_run_start_is_acknowledged()
    {
        var (pair, received) = SendFiftyLosingTheRunStart(QosSpec.Data);
        pair.Time.RunUntil(() => received.Count == 50, TimeSpan.FromSeconds(20));

        Assert.Equal(Enumerable.Range(0, 50), received.Select(r => r.Index));
        // The run start is resent at the initial RTO (1 s, nothing else can tell the sender); the 49 packets the
        // receiver dropped for want of state follow one round trip later, not one per round trip.
        Assert.True(received[^1].At < Flow.RtoInitial + TimeSpan.FromMilliseconds(100), $"last message at {received[^1].At.TotalMilliseconds} ms");
    }
}
