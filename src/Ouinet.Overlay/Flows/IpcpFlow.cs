namespace Ouinet.Overlay;

/// <summary>
/// An IPCP's side of one allocated flow: how the flow endpoint (<see cref="Flow"/>, which runs FRCP) hands SDUs to the
/// layer, and where the layer delivers them (<see cref="Flow.OnSdu"/>). Called under the node's lock.
/// </summary>
internal abstract class IpcpFlow
{
    public Flow? Endpoint { get; set; }

    /// <summary>The layer's name (for statistics and logs).</summary>
    public abstract string LayerName { get; }

    /// <summary>Largest SDU the layer carries for this flow.</summary>
    public abstract int MaxSdu { get; }

    /// <summary>The layer paces this flow itself (unicast with MB-ECN); otherwise FRCP's delay/loss controller may.</summary>
    public abstract bool HasCongestionAvoidance { get; }

    /// <summary>A UDP shim flow: the Internet path below has no overlay ECN.</summary>
    public virtual bool IsShim => false;

    /// <summary>Maximum packet lifetime the layer promises (Delta-t's MPL).</summary>
    public abstract TimeSpan Mpl { get; }

    /// <summary>Congestion avoidance before a packet of <paramref name="bytes"/>: zero to send now, else how long to wait.</summary>
    public virtual TimeSpan ReserveSend(int bytes) => TimeSpan.Zero;

    /// <summary>Sends one SDU (the layer may keep the array).</summary>
    public abstract void Send(byte[] sdu);

    /// <summary>Releases the layer's state for the flow (no message is sent, as in Ouroboros).</summary>
    public abstract void Deallocate();

    /// <summary>Adds the layer's view (MB-ECN rate, ECE, addresses) to a statistics snapshot.</summary>
    public virtual void Describe(IDictionary<string, string> into)
    {
    }
}
