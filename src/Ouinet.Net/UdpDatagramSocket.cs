using System.Net;
using System.Net.Sockets;

namespace Ouinet.Net;

/// <summary>
/// A real UDP socket behind <see cref="IDatagramSocket"/>. On 64-bit Linux it sends on the calling thread with a
/// send that never blocks (the managed asynchronous send takes over only when the kernel's buffer is full), sends
/// bursts to one peer in one system call (<see cref="SendBatchAsync"/>: UDP segmentation offload), and a
/// <see cref="UdpMultiplexer"/> receives on it with a thread of its own (<c>recvmmsg</c>; see
/// UdpDatagramSocket.Receive.cs). Elsewhere it is .NET's socket, as before.
/// </summary>
public sealed partial class UdpDatagramSocket : IDatagramSocket
{
    /// <summary>Socket buffers large enough for a fast uTP flow (the kernel may cap them at net.core.*mem_max).</summary>
    public const int DefaultBufferSize = 4 * 1024 * 1024;

    /// <summary>Largest datagram <see cref="SendBatchAsync"/> copies into its staging buffer; larger ones go out alone.</summary>
    private const int MaxStagedDatagram = 16 * 1024;

    /// <summary>Largest UDP payload of one send (IPv4), also the most one segmentation-offload send may carry.</summary>
    private const int MaxUdpPayload = 65_507;

    private readonly Socket _socket;
    private readonly SafeSocketHandle _handle;
    private readonly SocketAddress _receiveAddress;
    private readonly bool _native;
    private volatile bool _segmentationOff;
    private int _disposed;

    [ThreadStatic]
    private static byte[]? t_staging;

    private UdpDatagramSocket(Socket socket)
    {
        _socket = socket;
        _handle = socket.SafeHandle;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _receiveAddress = new SocketAddress(socket.AddressFamily);
        _native = LinuxUdp.IsSupported && UseNativePath;
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>
    /// Tests and measurements: false makes sockets made afterwards use only .NET's socket API (no receive thread, no
    /// batched or non-blocking sends), as on other systems.
    /// </summary>
    internal static bool UseNativePath { get; set; } = Environment.GetEnvironmentVariable("OUINET_UDP_MANAGED") != "1";

    /// <summary>Tests: the underlying socket (to set options such as IP_RECVERR).</summary>
    internal Socket Socket => _socket;

    /// <summary>This socket uses the Linux system calls (non-blocking sends, batches, the receive thread).</summary>
    internal bool IsNative => _native;

    /// <summary>Binds a UDP socket to <paramref name="endpoint"/> (port 0: any free port).</summary>
    public static UdpDatagramSocket Bind(IPEndPoint endpoint, int bufferSize = DefaultBufferSize)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.ReceiveBufferSize = bufferSize;
            socket.SendBufferSize = bufferSize;
            if (endpoint.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = false;
            }
            socket.Bind(endpoint);
            return new UdpDatagramSocket(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public ValueTask SendAsync(ReadOnlyMemory<byte> datagram, IPEndPoint remote, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(remote);
        if (_native && TrySendNow(datagram.Span, remote))
        {
            return ValueTask.CompletedTask;
        }
        return SendManagedAsync(datagram, remote, cancellationToken);
    }

    /// <summary>
    /// Sends <paramref name="datagrams"/> to <paramref name="remote"/>, in order, each as its own datagram. On Linux a
    /// run of equal-size datagrams (the last may be shorter) goes down in one system call that the kernel cuts into
    /// those datagrams (UDP segmentation offload, <c>UDP_SEGMENT</c>; <c>sendmmsg</c> where that is unavailable), so
    /// a burst costs one pass through the network stack instead of one per datagram; the peer receives the same
    /// datagrams either way. The buffers must stay untouched until the returned task completes: at once, unless the
    /// kernel's send buffer was full.
    /// </summary>
    public ValueTask SendBatchAsync(ReadOnlySpan<ReadOnlyMemory<byte>> datagrams, IPEndPoint remote, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(remote);
        var sent = _native ? SendBatchNow(datagrams, remote) : 0;
        if (sent == datagrams.Length)
        {
            return ValueTask.CompletedTask;
        }
        return SendEachAsync(datagrams[sent..].ToArray(), remote, cancellationToken);
    }

    public async ValueTask<DatagramReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            try
            {
                var length = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, _receiveAddress, cancellationToken);
                return new DatagramReceiveResult(length, ToEndPoint(_receiveAddress));
            }
            catch (SocketException e) when (IsTransient(e.SocketErrorCode))
            {
                // Linux reports an ICMP "port unreachable" for an earlier send as an error on the next receive; it is not ours to fail on.
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            WakeReceiver();
            _socket.Dispose();
        }
        return ValueTask.CompletedTask;
    }

    private async ValueTask SendManagedAsync(ReadOnlyMemory<byte> datagram, IPEndPoint remote, CancellationToken cancellationToken)
    {
        try
        {
            await _socket.SendToAsync(datagram, SocketFlags.None, remote, cancellationToken);
        }
        catch (SocketException e) when (IsTransient(e.SocketErrorCode))
        {
            // UDP gives no delivery promise: a full buffer or an ICMP error from an earlier send loses this datagram, as the network could have.
        }
    }

    private async ValueTask SendEachAsync(ReadOnlyMemory<byte>[] datagrams, IPEndPoint remote, CancellationToken cancellationToken)
    {
        foreach (var datagram in datagrams)
        {
            await SendAsync(datagram, remote, cancellationToken);
        }
    }

    /// <summary>
    /// One non-blocking sendto. True when done with the datagram (sent, or lost to an error UDP may lose it to); false
    /// when the managed send must take it: the kernel's buffer is full (it waits for room) or the error is one it
    /// reports better.
    /// </summary>
    private unsafe bool TrySendNow(ReadOnlySpan<byte> datagram, IPEndPoint remote)
    {
        Span<byte> address = stackalloc byte[LinuxUdp.SockAddrSize];
        var addressLength = LinuxUdp.WriteSockAddr(remote, address);
        nint result;
        fixed (byte* data = datagram)
        fixed (byte* name = address)
        {
            result = LinuxUdp.SendTo(_handle, data, (nuint)datagram.Length, LinuxUdp.MsgDontWait, name, (uint)addressLength);
        }
        return result >= 0 || IsDroppable(LinuxUdp.LastError);
    }

    /// <summary>Sends what it can of <paramref name="datagrams"/> without blocking; returns how many it is done with.</summary>
    private unsafe int SendBatchNow(ReadOnlySpan<ReadOnlyMemory<byte>> datagrams, IPEndPoint remote)
    {
        Span<byte> address = stackalloc byte[LinuxUdp.SockAddrSize];
        var addressLength = LinuxUdp.WriteSockAddr(remote, address);
        var staging = t_staging ??= GC.AllocateUninitializedArray<byte>(MaxUdpPayload, pinned: true);
        var done = 0;
        while (done < datagrams.Length)
        {
            var first = datagrams[done];
            if (first.Length > MaxStagedDatagram || done + 1 == datagrams.Length)
            {
                if (!TrySendNow(first.Span, remote))
                {
                    return done;
                }
                done++;
                continue;
            }
            // Stage a run: as many as fit in one send. It can go as one segmented send if all have the first's size but the last.
            var count = 0;
            var total = 0;
            var uniform = !_segmentationOff;
            while (done + count < datagrams.Length && count < LinuxUdp.MaxSegments)
            {
                var next = datagrams[done + count].Span;
                if (next.Length > MaxStagedDatagram || total + next.Length > staging.Length)
                {
                    break;
                }
                if (count > 0 && (next.Length > first.Length || datagrams[done + count - 1].Length != first.Length))
                {
                    uniform = false;
                }
                next.CopyTo(staging.AsSpan(total));
                total += next.Length;
                count++;
            }
            var sent = count > 1 && uniform && first.Length > 0
                ? SendSegmented(staging, total, (ushort)first.Length, count, address[..addressLength])
                : -1;
            if (sent < 0)
            {
                sent = SendMany(staging, datagrams.Slice(done, count), address[..addressLength]);
            }
            done += sent;
            if (sent < count)
            {
                return done;
            }
        }
        return done;
    }

    /// <summary>One sendmsg with UDP_SEGMENT: returns <paramref name="count"/>, 0 when the buffer is full, -1 to fall back to sendmmsg.</summary>
    private unsafe int SendSegmented(byte[] staging, int total, ushort segmentSize, int count, ReadOnlySpan<byte> address)
    {
        Span<byte> control = stackalloc byte[LinuxUdp.ControlSpace];
        var controlLength = LinuxUdp.WriteControl(control, LinuxUdp.SolUdp, LinuxUdp.UdpSegment, segmentSize);
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
            return count;
        }
        var error = LinuxUdp.LastError;
        if (error == LinuxUdp.Errno.EAGAIN)
        {
            return 0;
        }
        if (error is LinuxUdp.Errno.EIO or LinuxUdp.Errno.EINVAL or LinuxUdp.Errno.ENOPROTOOPT or LinuxUdp.Errno.EOPNOTSUPP)
        {
            // No segmentation offload on this path (no checksum offload, an old kernel, segments over the MTU): send them one by one from now on.
            _segmentationOff = true;
            return -1;
        }
        return error != LinuxUdp.Errno.EMSGSIZE && IsDroppable(error) ? count : -1;
    }

    /// <summary>sendmmsg of staged datagrams; returns how many are done (0 when the first could not go).</summary>
    private unsafe int SendMany(byte[] staging, ReadOnlySpan<ReadOnlyMemory<byte>> datagrams, ReadOnlySpan<byte> address)
    {
        var count = datagrams.Length;
        var messages = stackalloc LinuxUdp.MMsgHdr[count];
        var iovs = stackalloc LinuxUdp.IoVec[count];
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
        // The first datagram failed: lose it to an error UDP may lose it to, or leave it (and the rest) to the managed send.
        return IsDroppable(LinuxUdp.LastError) ? 1 : 0;
    }

    /// <summary>Errors a UDP send may lose a datagram to, as the network could have (the managed path ignores the same ones).</summary>
    private static bool IsDroppable(LinuxUdp.Errno error) =>
        error is LinuxUdp.Errno.ECONNREFUSED or LinuxUdp.Errno.ECONNRESET or LinuxUdp.Errno.EHOSTUNREACH or LinuxUdp.Errno.ENETUNREACH
            or LinuxUdp.Errno.ENOBUFS or LinuxUdp.Errno.EMSGSIZE or LinuxUdp.Errno.EPIPE;

    private static bool IsTransient(SocketError error) =>
        error is SocketError.ConnectionReset or SocketError.ConnectionRefused or SocketError.HostUnreachable
            or SocketError.NetworkUnreachable or SocketError.NoBufferSpaceAvailable or SocketError.MessageSize;

    private static IPEndPoint ToEndPoint(SocketAddress address)
    {
        var span = address.Buffer.Span;
        var port = (span[2] << 8) | span[3];
        if (address.Family == AddressFamily.InterNetwork)
        {
            return new IPEndPoint(new IPAddress(span.Slice(4, 4)), port);
        }
        return new IPEndPoint(new IPAddress(span.Slice(8, 16), scopeid: BitConverter.ToUInt32(span.Slice(24, 4))), port);
    }
}
