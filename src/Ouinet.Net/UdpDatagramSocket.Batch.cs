using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Ouinet.Net;

/// <summary>
/// Batched sends on Linux: a run of equal-size datagrams to one peer is copied into one buffer and goes down in one
/// <c>sendmsg</c> with <c>UDP_SEGMENT</c>, which the kernel (or the network card) cuts into those datagrams; anything
/// else goes by <c>sendmmsg</c>, several datagrams per system call. Where the kernel has no segmentation offload the
/// socket never tries it; where a route refuses it (a path MTU under the segment size, a device that cannot checksum)
/// that destination gets <c>sendmmsg</c> from then on.
/// </summary>
public sealed partial class UdpDatagramSocket
{
    /// <summary>Largest datagram a batch copies into its staging buffer; larger ones go out alone.</summary>
    private const int MaxStagedDatagram = 16 * 1024;

    /// <summary>Largest UDP payload of one send (IPv4), also the most one segmented send may carry.</summary>
    private const int MaxUdpPayload = 65_507;

    /// <summary>Destinations remembered as refusing segmentation; past this many it is off for the whole socket.</summary>
    private const int MaxRefusedDestinations = 64;

    private const int Refused = -1;

    private volatile bool _segmentation;
    private ConcurrentDictionary<IPAddress, bool>? _segmentationRefused;
    private int _refusedDestinations;
    private long _segmentedSends;

    /// <summary>Segmented sends so far (each carried several datagrams).</summary>
    internal long SegmentedSends => Interlocked.Read(ref _segmentedSends);

    /// <summary>Destinations for which the kernel refused a segmented send.</summary>
    internal int RefusedDestinations => Volatile.Read(ref _refusedDestinations);

    /// <summary>The kernel knows UDP_SEGMENT (Linux 4.18): an older one would ignore the option and send the whole buffer as one datagram.</summary>
    private static bool KernelSegments(Socket socket)
    {
        try
        {
            Span<byte> value = stackalloc byte[4];
            return socket.GetRawSocketOption(LinuxUdp.SolUdp, LinuxUdp.UdpSegment, value) == 4;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Sends what it can of <paramref name="datagrams"/> without blocking; returns how many it is done with.</summary>
    private int SendBatchNow(ReadOnlySpan<ReadOnlyMemory<byte>> datagrams, IPEndPoint remote)
    {
        Span<byte> address = stackalloc byte[LinuxUdp.SockAddrSize];
        address = address[..LinuxUdp.WriteSockAddr(remote, address)];
        var segment = _segmentation && !RefusesSegmentation(remote.Address);
        byte[]? staging = null; // pinned by `fixed` for each call only
        try
        {
            var done = 0;
            while (done < datagrams.Length)
            {
                var rest = datagrams[done..];
                var count = rest.Length == 1 || rest[0].Length > MaxStagedDatagram ? 1
                    : segment ? SegmentRun(rest)
                    : ManyRun(rest);
                int sent;
                if (count == 1)
                {
                    sent = TrySendNow(rest[0].Span, remote) ? 1 : 0;
                }
                else
                {
                    staging ??= ArrayPool<byte>.Shared.Rent(MaxUdpPayload);
                    var total = Stage(rest[..count], staging);
                    sent = segment ? SendSegmented(staging, total, rest[0].Length, count, address) : Refused;
                    if (sent == Refused)
                    {
                        if (segment)
                        {
                            segment = false;
                            RefuseSegmentation(remote.Address);
                        }
                        sent = SendMany(staging, rest[..count], address);
                    }
                }
                done += sent;
                if (sent < count)
                {
                    break;
                }
            }
            return done;
        }
        finally
        {
            if (staging is not null)
            {
                ArrayPool<byte>.Shared.Return(staging);
            }
        }
    }

    /// <summary>How many datagrams from the start go as one segmented send: equal sizes, the last possibly shorter (never empty).</summary>
    private static int SegmentRun(ReadOnlySpan<ReadOnlyMemory<byte>> datagrams)
    {
        var size = datagrams[0].Length;
        if (size == 0)
        {
            return 1;
        }
        var count = 1;
        var total = size;
        while (count < datagrams.Length && count < LinuxUdp.MaxSegments)
        {
            var next = datagrams[count].Length;
            if (next == 0 || next > size || total + next > MaxUdpPayload)
            {
                break;
            }
            total += next;
            count++;
            if (next < size)
            {
                break; // a shorter datagram can only end a run
            }
        }
        return count;
    }

    /// <summary>How many datagrams from the start fit one sendmmsg through the staging buffer.</summary>
    private static int ManyRun(ReadOnlySpan<ReadOnlyMemory<byte>> datagrams)
    {
        var count = 0;
        var total = 0;
        while (count < datagrams.Length && count < LinuxUdp.MaxSegments)
        {
            var next = datagrams[count].Length;
            if (next > MaxStagedDatagram || total + next > MaxUdpPayload)
            {
                break;
            }
            total += next;
            count++;
        }
        return count;
    }

    private static int Stage(ReadOnlySpan<ReadOnlyMemory<byte>> datagrams, byte[] staging)
    {
        var total = 0;
        foreach (var datagram in datagrams)
        {
            datagram.Span.CopyTo(staging.AsSpan(total));
            total += datagram.Length;
        }
        return total;
    }

    /// <summary>
    /// One sendmsg with UDP_SEGMENT: returns <paramref name="count"/> when done with them (sent, or lost to an error UDP
    /// may lose them to), 0 when the send buffer is full, <see cref="Refused"/> when the kernel will not segment for
    /// this destination.
    /// </summary>
    private unsafe int SendSegmented(byte[] staging, int total, int segmentSize, int count, ReadOnlySpan<byte> address)
    {
        Span<byte> control = stackalloc byte[LinuxUdp.ControlSpace];
        var controlLength = LinuxUdp.WriteControl(control, LinuxUdp.SolUdp, LinuxUdp.UdpSegment, (ushort)segmentSize);
        for (var attempt = 0; ; attempt++)
        {
            nint result;
            fixed (byte* data = staging)
            fixed (byte* name = address)
            fixed (byte* cmsg = control)
            {
                var iov = new LinuxUdp.IoVec { Base = data, Length = (nuint)total };
                var message = new LinuxUdp.MsgHdr
                {
                    Name = name,
                    NameLength = (uint)address.Length,
                    Iov = &iov,
                    IovLength = 1,
                    Control = cmsg,
                    ControlLength = (nuint)controlLength,
                };
                result = LinuxUdp.SendMsg(_handle, &message, LinuxUdp.MsgDontWait);
            }
            if (result >= 0)
            {
                Interlocked.Increment(ref _segmentedSends);
                return count;
            }
            var error = LinuxUdp.LastError;
            if (IsIcmpError(error) && attempt == 0)
            {
                continue; // an earlier datagram's ICMP error, now cleared: it says nothing about these
            }
            return error switch
            {
                LinuxUdp.Errno.EAGAIN => 0,
                LinuxUdp.Errno.EIO or LinuxUdp.Errno.EINVAL or LinuxUdp.Errno.EMSGSIZE or LinuxUdp.Errno.ENOPROTOOPT or LinuxUdp.Errno.EOPNOTSUPP => Refused,
                _ when IsDroppable(error) => count,
                _ => Refused, // let sendmmsg (then the managed send) meet the error one datagram at a time
            };
        }
    }

    /// <summary>sendmmsg of staged datagrams; returns how many are done (0 when the first could not go).</summary>
    private unsafe int SendMany(byte[] staging, ReadOnlySpan<ReadOnlyMemory<byte>> datagrams, ReadOnlySpan<byte> address)
    {
        var count = datagrams.Length;
        var messages = stackalloc LinuxUdp.MMsgHdr[count];
        var iovs = stackalloc LinuxUdp.IoVec[count];
        for (var attempt = 0; ; attempt++)
        {
            int result;
            fixed (byte* data = staging)
            fixed (byte* name = address)
            {
                var offset = 0;
                for (var i = 0; i < count; i++)
                {
                    iovs[i] = new LinuxUdp.IoVec { Base = data + offset, Length = (nuint)datagrams[i].Length };
                    messages[i] = new LinuxUdp.MMsgHdr
                    {
                        Header = new LinuxUdp.MsgHdr { Name = name, NameLength = (uint)address.Length, Iov = iovs + i, IovLength = 1 },
                    };
                    offset += datagrams[i].Length;
                }
                result = LinuxUdp.SendMMsg(_handle, messages, (uint)count, LinuxUdp.MsgDontWait);
            }
            if (result >= 0)
            {
                return result;
            }
            var error = LinuxUdp.LastError;
            if (IsIcmpError(error) && attempt == 0)
            {
                continue;
            }
            // The first datagram failed: lose it to an error UDP may lose it to, or leave it (and the rest) to the managed send.
            return IsDroppable(error) ? 1 : 0;
        }
    }

    private bool RefusesSegmentation(IPAddress address) =>
        Volatile.Read(ref _refusedDestinations) > 0 && _segmentationRefused!.ContainsKey(address);

    private void RefuseSegmentation(IPAddress address)
    {
        var refused = _segmentationRefused;
        if (refused is null)
        {
            Interlocked.CompareExchange(ref _segmentationRefused, new ConcurrentDictionary<IPAddress, bool>(), null);
            refused = _segmentationRefused;
        }
        if (refused.TryAdd(address, true) && Interlocked.Increment(ref _refusedDestinations) >= MaxRefusedDestinations)
        {
            _segmentation = false; // refused everywhere: a property of this socket or host, not of routes
        }
    }
}
