using Microsoft.Extensions.Logging.Abstractions;
using Ouinet.Overlay.Node;
using Ouinet.Overlay.Simulation;
using Ouinet.Overlay.Wire;

namespace Ouinet.Overlay.Tests.Support;

/// <summary>
/// Two FRCP endpoints joined by a simulated link (no layer below: a fixed one-way delay, in simulated time), so a
/// test can drop exactly the packets it names. <see cref="DropAtoB"/> sees each SDU from A and drops it when it
/// returns true.
/// </summary>
internal sealed class SimulatedFlowPair
{
    public SimulatedFlowPair(QosSpec qos, TimeSpan oneWayDelay, int seed = 1)
    {
        var contextA = new NodeContext(Time, new Random(seed), NullLogger.Instance);
        var contextB = new NodeContext(Time, new Random(seed + 1), NullLogger.Instance);
        var linkA = new Link(this, oneWayDelay, contextB, toB: true);
        var linkB = new Link(this, oneWayDelay, contextA, toB: false);
        A = new Flow(contextA, linkA, qos, "b");
        B = new Flow(contextB, linkB, qos, "a");
        linkA.Peer = B;
        linkB.Peer = A;
        GateA = contextA.Gate;
        GateB = contextB.Gate;
    }

    public SimulatedTime Time { get; } = new();

    public Flow A { get; }

    public Flow B { get; }

    public Lock GateA { get; }

    public Lock GateB { get; }

    public Func<byte[], bool> DropAtoB { get; set; } = _ => false;

    /// <summary>Whether an SDU is a data packet with DRF: the start of a run.</summary>
    public static bool IsRunStart(byte[] sdu) =>
        sdu.Length >= FrcpHeader.Size && (FrcpHeader.Parse(sdu).Flags & (FrcpFlags.Data | FrcpFlags.DataRun)) == (FrcpFlags.Data | FrcpFlags.DataRun);

    /// <summary>Queues a message at A (under A's lock).</summary>
    public void SendFromA(byte[] message)
    {
        lock (GateA)
        {
            Assert.True(A.TrySend(message));
        }
    }

    private sealed class Link(SimulatedFlowPair pair, TimeSpan delay, NodeContext peerContext, bool toB) : IpcpFlow
    {
        public Flow? Peer { get; set; }

        public override string LayerName => "simulated link";

        public override int MaxSdu => 1400;

        public override bool HasCongestionAvoidance => true;

        public override TimeSpan Mpl => TimeSpan.FromMilliseconds(100);

        public override void Send(byte[] sdu)
        {
            if (toB && pair.DropAtoB(sdu))
            {
                return;
            }
            peerContext.After(delay, () => Peer!.OnSdu(sdu));
        }

        public override void Deallocate()
        {
        }
    }
}
