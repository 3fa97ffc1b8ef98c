using System.Net;
using System.Net.Sockets;

namespace Ouinet.Net;

/// <summary>
/// A real UDP socket behind <see cref="IDatagramSocket"/>. On x86_64 and arm64 Linux it sends on the calling thread
/// with a send that never blocks (the managed asynchronous send takes over only when the kernel's buffer is full),
/// sends bursts to one peer in one system call (<see cref="SendBatchAsync"/>: UDP segmentation offload, or
/// <c>sendmmsg</c>), and a <see cref="UdpMultiplexer"/> receives on it with a thread of its own (<c>recvmmsg</c>; see
/// UdpDatagramSocket.Receive.cs). Elsewhere, or where the kernel lacks a feature, it falls back to .NET's socket API
/// (see <see cref="UdpFastPaths"/>).
/// </summary>
public sealed partial class UdpDatagramSocket : IDatagramSocket
{
    /// <summary>Socket buffers large enough for a fast uTP flow (the kernel may cap them at net.core.*mem_max).</summary>
    public const int DefaultBufferSize = 4 * 1024 * 1024;

    private readonly Socket _socket;
    private readonly SafeSocketHandle _handle;
    private readonly SocketAddress _receiveAddress;
    private readonly bool _native;
    private int _disposed;

    private UdpDatagramSocket(Socket socket, UdpFastPaths paths)
    {
        _socket = socket;
        _handle = socket.SafeHandle;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _receiveAddress = new SocketAddress(socket.AddressFamily);
        _native = LinuxUdp.IsSupported && paths.HasFlag(UdpFastPaths.Native);
        _segmentation = _native && paths.HasFlag(UdpFastPaths.Segmentation) && KernelSegments(socket);
        _coalescingAllowed = _native && paths.HasFlag(UdpFastPaths.Coalescing);
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The fast paths this socket uses now (segmentation may have been turned off since by the kernel's refusals).</summary>
    internal UdpFastPaths FastPaths =>
        (_native ? UdpFastPaths.Native : UdpFastPaths.None)
        | (_segmentation ? UdpFastPaths.Segmentation : UdpFastPaths.None)
        | (_coalescing ? UdpFastPaths.Coalescing : UdpFastPaths.None);

    /// <summary>Tests: the underlying socket (to set options).</summary>
    internal Socket Socket => _socket;

    /// <summary>This socket uses the Linux system calls (non-blocking sends, batches, the receive thread).</summary>
    internal bool IsNative => _native;

    /// <summary>Binds a UDP socket to <paramref name="endpoint"/> (port 0: any free port).</summary>
    public static UdpDatagramSocket Bind(IPEndPoint endpoint, int bufferSize = DefaultBufferSize) =>
        Bind(endpoint, bufferSize, UdpFastPathDefaults.Value);

    /// <summary>As <see cref="Bind(IPEndPoint, int)"/>, with only the fast paths in <paramref name="paths"/> (tests, measurements).</summary>
    internal static UdpDatagramSocket Bind(IPEndPoint endpoint, int bufferSize, UdpFastPaths paths)
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
            return new UdpDatagramSocket(socket, paths);
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
    /// those datagrams (UDP segmentation offload, <c>UDP_SEGMENT</c>; <c>sendmmsg</c> where the kernel or the route
    /// refuses it), so a burst costs one pass through the network stack instead of one per datagram; the peer
    /// receives the same datagrams either way. The buffers must stay untouched until the returned task completes: at
    /// once, unless the kernel's send buffer was full.
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

    /// <summary>
    /// Receives one datagram with .NET's socket. Not to be mixed with a multiplexer's receive thread on the same
    /// socket (each datagram would go to one of them).
    /// </summary>
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
            StopReceiving();
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

    /// <summary>
    /// Errors a UDP send may lose a datagram to, as the network could have (the managed path ignores the same ones); EPERM
    /// and EACCES are the host's own refusal (a packet filter, a broadcast address), no reason to stop sending elsewhere.
    /// </summary>
    private static bool IsDroppable(LinuxUdp.Errno error) =>
        IsIcmpError(error) || error is LinuxUdp.Errno.ENOBUFS or LinuxUdp.Errno.EMSGSIZE or LinuxUdp.Errno.EPIPE or LinuxUdp.Errno.EPERM or LinuxUdp.Errno.EACCES;

    /// <summary>An ICMP error for an earlier datagram, reported on a later call (and cleared by it).</summary>
    private static bool IsIcmpError(LinuxUdp.Errno error) =>
        error is LinuxUdp.Errno.ECONNREFUSED or LinuxUdp.Errno.ECONNRESET or LinuxUdp.Errno.EHOSTUNREACH or LinuxUdp.Errno.ENETUNREACH;

    private static bool IsTransient(SocketError error) =>
        error is SocketError.ConnectionReset or SocketError.ConnectionRefused or SocketError.HostUnreachable
            or SocketError.NetworkUnreachable or SocketError.NoBufferSpaceAvailable or SocketError.MessageSize or SocketError.AccessDenied;

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
