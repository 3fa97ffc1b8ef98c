using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Ouinet.Net;

/// <summary>What a receive thread hands each datagram to (the multiplexer).</summary>
internal interface IDatagramSink
{
    /// <summary>One datagram; the span is valid only during the call.</summary>
    void OnDatagram(ReadOnlySpan<byte> datagram, IPEndPoint from);

    /// <summary>Every datagram that was waiting has been handled: the next receive would wait.</summary>
    void OnDrained();

    /// <summary>A receive failed for a reason that is neither transient nor the socket closing; receiving goes on.</summary>
    void OnReceiveFailed(Exception exception);
}

/// <summary>
/// The receive thread's loop (Linux): <c>recvmmsg</c> blocks in the kernel until a datagram arrives, then takes up to
/// <see cref="ReceiveBatch"/> waiting datagrams in the same call, so a burst costs one wake-up and a few system calls
/// instead of a wake-up of .NET's epoll thread and a thread-pool hop per receive. With <c>UDP_GRO</c> on, a run of
/// equal-size datagrams from one peer can arrive as one buffer plus its segment size and is cut up here again.
/// </summary>
public sealed partial class UdpDatagramSocket
{
    /// <summary>Datagrams (or coalesced runs) one <c>recvmmsg</c> can return.</summary>
    internal const int ReceiveBatch = 8;

    /// <summary>Room per datagram: the largest UDP payload (or coalesced run), so nothing a consumer accepts is truncated.</summary>
    private const int ReceiveSlot = 64 * 1024;

    private const int NameSlot = 32;
    private const int ControlSlot = 64;

    private const int ReceiveIdle = 0;
    private const int ReceiveRunning = 1;
    private const int ReceiveStopped = 2;

    private readonly bool _coalescingAllowed;
    private bool _coalescing;
    private int _receiveState;

    /// <summary>
    /// Asks the kernel to hand over runs of equal-size datagrams from one peer as one buffer (<c>UDP_GRO</c>); the
    /// receive loop cuts them up again, so consumers still see one call per datagram. Only for a socket read by
    /// <see cref="RunReceiveLoop"/> (<see cref="ReceiveAsync"/> would see the runs whole). False where unsupported.
    /// </summary>
    internal bool TryEnableCoalescing()
    {
        if (!_coalescingAllowed || _coalescing)
        {
            return _coalescing;
        }
        try
        {
            _socket.SetRawSocketOption(LinuxUdp.SolUdp, LinuxUdp.UdpGro, BitConverter.GetBytes(1));
            _coalescing = true;
        }
        catch (SocketException)
        {
            // A kernel before 5.0: datagrams come one by one.
        }
        return _coalescing;
    }

    /// <summary>
    /// Makes <see cref="RunReceiveLoop"/> return, or never start: it looks at its state after every system call, and
    /// shutting the receiving side down wakes it from the kernel (for an unconnected UDP socket Linux answers ENOTCONN
    /// but sets the shutdown and wakes every waiter all the same). Sends keep working. A socket read with
    /// <see cref="ReceiveAsync"/> instead is left alone.
    /// </summary>
    internal void StopReceiving()
    {
        if (Interlocked.Exchange(ref _receiveState, ReceiveStopped) != ReceiveRunning)
        {
            return;
        }
        try
        {
            _ = LinuxUdp.Shutdown(_handle, LinuxUdp.ShutRd);
        }
        catch (ObjectDisposedException)
        {
            // Closed already: the loop's next call fails and it ends.
        }
    }

    /// <summary>
    /// Receives on the calling thread, handing every datagram to <paramref name="sink"/>, until
    /// <see cref="StopReceiving"/> (or disposal). Needs <see cref="IsNative"/>. Memory: one fixed set of buffers,
    /// <see cref="ReceiveBatch"/> × 64 KiB, outside the managed heap.
    /// </summary>
    internal unsafe void RunReceiveLoop(IDatagramSink sink)
    {
        if (!_native)
        {
            throw new InvalidOperationException("The receive thread needs the Linux socket path.");
        }
        // Interlocked on both sides: either StopReceiving sees the loop running and wakes it, or the loop sees the stop.
        if (Interlocked.CompareExchange(ref _receiveState, ReceiveRunning, ReceiveIdle) != ReceiveIdle)
        {
            return;
        }
        var buffers = (byte*)NativeMemory.AlignedAlloc(ReceiveBatch * (nuint)ReceiveSlot, 64);
        var names = (byte*)NativeMemory.AllocZeroed(ReceiveBatch * NameSlot);
        var controls = (byte*)NativeMemory.AllocZeroed(ReceiveBatch * ControlSlot);
        var messages = (LinuxUdp.MMsgHdr*)NativeMemory.AllocZeroed(ReceiveBatch, (nuint)sizeof(LinuxUdp.MMsgHdr));
        var iovs = (LinuxUdp.IoVec*)NativeMemory.AllocZeroed(ReceiveBatch, (nuint)sizeof(LinuxUdp.IoVec));
        var senders = new EndPointCache();
        try
        {
            for (var i = 0; i < ReceiveBatch; i++)
            {
                iovs[i] = new LinuxUdp.IoVec { Base = buffers + (i * ReceiveSlot), Length = ReceiveSlot };
            }
            var drained = false;
            var mayHaveMore = false;
            var failures = 0;
            while (Volatile.Read(ref _receiveState) == ReceiveRunning)
            {
                var coalescing = _coalescing;
                for (var i = 0; i < ReceiveBatch; i++)
                {
                    messages[i] = new LinuxUdp.MMsgHdr
                    {
                        Header = new LinuxUdp.MsgHdr
                        {
                            Name = names + (i * NameSlot),
                            NameLength = NameSlot,
                            Iov = iovs + i,
                            IovLength = 1,
                            Control = coalescing ? controls + (i * ControlSlot) : null,
                            ControlLength = coalescing ? (nuint)ControlSlot : 0,
                        },
                    };
                }
                // Blocks for the first datagram (MSG_WAITFORONE), then takes what else is waiting. After a full batch
                // more may be waiting: look without blocking, so "drained" is said as soon as it is true.
                var count = LinuxUdp.RecvMMsg(_handle, messages, ReceiveBatch, mayHaveMore ? LinuxUdp.MsgDontWait : LinuxUdp.MsgWaitForOne, null);
                if (Volatile.Read(ref _receiveState) != ReceiveRunning)
                {
                    return;
                }
                if (count < 0)
                {
                    var error = LinuxUdp.LastError;
                    if (error == LinuxUdp.Errno.EAGAIN)
                    {
                        if (!drained)
                        {
                            drained = true;
                            sink.OnDrained();
                        }
                        if (!mayHaveMore)
                        {
                            // The descriptor is non-blocking (an asynchronous .NET operation made it so): wait here instead.
                            LinuxUdp.WaitReadable(_handle);
                        }
                        mayHaveMore = false;
                    }
                    else if (error != LinuxUdp.Errno.EINTR && !IsIcmpError(error) && error != LinuxUdp.Errno.EMSGSIZE)
                    {
                        // Unexpected (ENOMEM...): report, and back off so a lasting failure cannot spin a core.
                        sink.OnReceiveFailed(new SocketException((int)ToSocketError(error)));
                        Thread.Sleep(Math.Min(1 << Math.Min(failures++, 7), 100));
                    }
                    // An ICMP error for an earlier send (port unreachable...) is reported on a receive: not ours to fail on.
                    continue;
                }
                failures = 0;
                for (var i = 0; i < count; i++)
                {
                    var from = senders.Get(new ReadOnlySpan<byte>(names + (i * NameSlot), (int)Math.Min(messages[i].Header.NameLength, NameSlot)));
                    if (from is null)
                    {
                        continue;
                    }
                    var data = new ReadOnlySpan<byte>(buffers + (i * ReceiveSlot), (int)Math.Min(messages[i].Length, ReceiveSlot));
                    var segment = coalescing
                        ? LinuxUdp.ReadControlInt(new ReadOnlySpan<byte>(controls + (i * ControlSlot), (int)Math.Min(messages[i].Header.ControlLength, ControlSlot)), LinuxUdp.SolUdp, LinuxUdp.UdpGro)
                        : 0;
                    if (segment <= 0 || segment >= data.Length)
                    {
                        sink.OnDatagram(data, from);
                        continue;
                    }
                    for (var offset = 0; offset < data.Length; offset += segment)
                    {
                        sink.OnDatagram(data.Slice(offset, Math.Min(segment, data.Length - offset)), from);
                    }
                }
                drained = false;
                mayHaveMore = count == ReceiveBatch;
                if (!mayHaveMore)
                {
                    // recvmmsg stopped before the batch was full: nothing was left waiting.
                    drained = true;
                    sink.OnDrained();
                }
            }
        }
        catch (ObjectDisposedException)
        {
            // The socket was disposed under the loop: receiving is over.
        }
        finally
        {
            NativeMemory.AlignedFree(buffers);
            NativeMemory.Free(names);
            NativeMemory.Free(controls);
            NativeMemory.Free(messages);
            NativeMemory.Free(iovs);
        }
    }

    private static SocketError ToSocketError(LinuxUdp.Errno error) => error switch
    {
        LinuxUdp.Errno.ENOBUFS => SocketError.NoBufferSpaceAvailable,
        LinuxUdp.Errno.EINVAL => SocketError.InvalidArgument,
        LinuxUdp.Errno.EBADF => SocketError.OperationAborted,
        _ => SocketError.SocketError,
    };

    /// <summary>
    /// The sender of each datagram as an <see cref="IPEndPoint"/> without allocating one per datagram: a few recent
    /// senders, looked up by their raw address. Used by one thread. Consumers get the same instance for the same peer
    /// (as they must never change it).
    /// </summary>
    private sealed class EndPointCache
    {
        private const int Size = 16;
        private readonly byte[][] _keys = new byte[Size][];
        private readonly IPEndPoint?[] _values = new IPEndPoint?[Size];

        public IPEndPoint? Get(ReadOnlySpan<byte> address)
        {
            var length = address.Length >= 2 && address[0] == 2 ? 16 : 28; // AF_INET or AF_INET6 (little-endian family)
            if (address.Length < length)
            {
                return null;
            }
            address = address[..length];
            var slot = (int)((uint)HashCode.Combine(MemoryMarshal.Read<ulong>(address), MemoryMarshal.Read<ulong>(address[8..])) % Size);
            if (_values[slot] is { } cached && address.SequenceEqual(_keys[slot]))
            {
                return cached;
            }
            var endPoint = LinuxUdp.ReadSockAddr(address);
            if (endPoint is not null)
            {
                _keys[slot] = address.ToArray();
                _values[slot] = endPoint;
            }
            return endPoint;
        }
    }
}
