using System.Buffers;
using System.Net;

namespace Ouinet.Utp;

/// <summary>Sending (UDP sends complete at once; a rare late one keeps its buffer until done) and the packet pool.</summary>
public sealed partial class UtpSocket
{
    /// <summary>A packet buffer: standard-size ones come from this socket's pool, large (loopback) ones from the shared array pool.</summary>
    internal OutgoingPacket RentPacket(int size)
    {
        if (size != Options.MaxPacketSize)
        {
            return new OutgoingPacket(ArrayPool<byte>.Shared.Rent(size));
        }
        if (_packetPool.TryDequeue(out var packet))
        {
            Interlocked.Decrement(ref _pooledPackets);
            return packet;
        }
        return new OutgoingPacket(new byte[size]);
    }

    internal void ReturnPacket(OutgoingPacket packet)
    {
        if (packet.Buffer.Length != Options.MaxPacketSize)
        {
            ArrayPool<byte>.Shared.Return(packet.Buffer);
        }
        else if (Interlocked.Increment(ref _pooledPackets) <= MaxPooledPackets)
        {
            _packetPool.Enqueue(packet);
        }
        else
        {
            Interlocked.Decrement(ref _pooledPackets);
        }
    }

    /// <summary>
    /// Sends DATA or FIN packets from their own buffers, in order, as one batch (<paramref name="buffers"/> is scratch
    /// space for their memory). A packet whose send did not complete at once is not reused until it has.
    /// </summary>
    internal void SendPackets(OutgoingPacket[] packets, ReadOnlyMemory<byte>[] buffers, int count, IPEndPoint remote)
    {
        for (var i = 0; i < count; i++)
        {
            buffers[i] = packets[i].Buffer.AsMemory(0, packets[i].Size);
        }
        ValueTask send;
        try
        {
            send = _multiplexer.SendBatchAsync(buffers.AsSpan(0, count), remote);
        }
        catch (ObjectDisposedException)
        {
            return;
        }
        finally
        {
            Array.Clear(buffers, 0, count);
        }
        if (send.IsCompleted)
        {
            Observe(send);
            return;
        }
        var pending = packets.AsSpan(0, count).ToArray();
        foreach (var packet in pending)
        {
            Interlocked.Increment(ref packet.PendingSends);
        }
        _ = CompletePacketSendAsync(send, pending);
    }

    /// <summary>Sends a control packet (STATE, SYN, RESET) built in a rented buffer, and returns the buffer.</summary>
    internal void SendControl(byte[] buffer, int length, IPEndPoint remote)
    {
        ValueTask send;
        try
        {
            send = _multiplexer.SendAsync(buffer.AsMemory(0, length), remote);
        }
        catch (ObjectDisposedException)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return;
        }
        if (send.IsCompleted)
        {
            Observe(send);
            ArrayPool<byte>.Shared.Return(buffer);
            return;
        }
        _ = CompleteControlSendAsync(send, buffer);
    }

    private static async Task CompletePacketSendAsync(ValueTask send, OutgoingPacket[] packets)
    {
        try
        {
            await send.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A lost send is a lost datagram: retransmission deals with it.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        foreach (var packet in packets)
        {
            Interlocked.Decrement(ref packet.PendingSends);
        }
    }

    private static async Task CompleteControlSendAsync(ValueTask send, byte[] buffer)
    {
        try
        {
            await send.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // As above.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        ArrayPool<byte>.Shared.Return(buffer);
    }

    private static void Observe(ValueTask completed)
    {
        try
        {
            completed.GetAwaiter().GetResult();
        }
#pragma warning disable CA1031 // As above.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
