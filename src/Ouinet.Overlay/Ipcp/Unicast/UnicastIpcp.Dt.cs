using Ouinet.Overlay.Wire;

namespace Ouinet.Overlay.Ipcp.Unicast;

/// <summary>Data transfer: the DT header on the way out, local delivery by EID or forwarding on the way in.</summary>
internal sealed partial class UnicastIpcp
{
    /// <summary>Under the lock: sends <paramref name="payload"/> to (<paramref name="destination"/>, <paramref name="eid"/>).</summary>
    internal void SendDt(uint destination, QosCube cube, ulong eid, ReadOnlySpan<byte> payload)
    {
        var packet = new byte[DtHeader.Size + payload.Length];
        new DtHeader(destination, cube, LayerConfig.MaxTtl, 0, eid).Write(packet);
        payload.CopyTo(packet.AsSpan(DtHeader.Size));
        if (destination == Address)
        {
            // A flow between two names of this member: loop back, but not inside the sender's call.
            Context.After(TimeSpan.Zero, () => OnDtPacket(packet));
            return;
        }
        if (!_nextHop.TryGetValue(destination, out var hop) || !_neighbours.TryGetValue(hop, out var n))
        {
            Unroutable++;
            return;
        }
        n.Enqueue(packet, cube);
    }

    /// <summary>Under the lock: a packet from a dt N-1 flow (or looped back).</summary>
    private void OnDtPacket(byte[] packet)
    {
        DtHeader header;
        try
        {
            header = DtHeader.Parse(packet);
        }
        catch (OverlayFormatException e)
        {
            Log.Malformed(Context.Logger, "DT packet", e.Message);
            return;
        }
        if (header.DestinationAddress == Address)
        {
            var payload = packet.AsSpan(DtHeader.Size);
            try
            {
                switch (header.Eid)
                {
                    case FlowAllocator.FlowAllocatorEid:
                        Allocator.OnMessage(payload);
                        break;
                    case FlowAllocator.DirectoryEid:
                        Directory.OnMessage(payload);
                        break;
                    default:
                        Allocator.OnData(header.Eid, payload, header.Ecn);
                        break;
                }
            }
            catch (OverlayFormatException e)
            {
                Log.Malformed(Context.Logger, header.Eid == FlowAllocator.DirectoryEid ? "DHT message" : "flow allocator message", e.Message);
            }
            return;
        }
        if (header.Ttl <= 1 || !_nextHop.TryGetValue(header.DestinationAddress, out var hop) || !_neighbours.TryGetValue(hop, out var n))
        {
            Unroutable++;
            return;
        }
        // Only TTL and ECN change hop by hop; ECN carries this member's queue towards the next hop (MB-ECN).
        packet[5] = (byte)(header.Ttl - 1);
        packet[6] = (byte)Math.Min(255, header.Ecn | (n.QueueLength >> 4));
        n.Enqueue(packet, header.Cube);
    }
}
