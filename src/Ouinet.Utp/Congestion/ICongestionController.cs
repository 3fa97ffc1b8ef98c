namespace Ouinet.Utp.Congestion;

/// <summary>What one incoming ACK tells the congestion controller.</summary>
/// <param name="AckedBytes">Payload bytes newly acknowledged (cumulatively or selectively).</param>
/// <param name="BytesInFlight">Bytes that were in flight before this ACK.</param>
/// <param name="QueuingDelayMicroseconds">Filtered one-way delay above the base delay, or -1 when the ACK carried no sample.</param>
/// <param name="WindowLimited">Whether the sender was filling its window; an application-limited sender must not grow it.</param>
public readonly record struct CongestionAck(int AckedBytes, int BytesInFlight, int QueuingDelayMicroseconds, bool WindowLimited);

/// <summary>What a controller is created with.</summary>
/// <param name="PacketSize">Largest packet (header included): the unit of the minimum window.</param>
/// <param name="MaxWindow">Upper bound for the window (the send buffer).</param>
/// <param name="TargetDelay">LEDBAT's target queuing delay.</param>
public sealed record CongestionControllerContext(int PacketSize, int MaxWindow, TimeSpan TargetDelay);

/// <summary>
/// The congestion-controller seam (as System.Net.Quic has one): a connection reports ACKs, losses and timeouts and
/// sends no more than <see cref="Window"/> bytes beyond what is acknowledged (and never more than the peer's receive
/// window). Called under the connection's lock; must not block.
/// </summary>
public interface ICongestionController
{
    /// <summary>Congestion window in bytes.</summary>
    int Window { get; }

    void OnAck(in CongestionAck ack);

    /// <summary>A packet was lost (fast retransmit); the connection reports at most one loss per window of data.</summary>
    void OnLoss();

    /// <summary>The retransmission timer fired: nothing was acknowledged for a whole RTO.</summary>
    void OnTimeout();
}
