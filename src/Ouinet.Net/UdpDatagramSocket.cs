using System.Net;
using System.Net.Sockets;

namespace Ouinet.Net;

/// <summary>A real UDP socket behind <see cref="IDatagramSocket"/>.</summary>
public sealed class UdpDatagramSocket : IDatagramSocket
{
    /// <summary>Socket buffers large enough for a fast uTP flow (the kernel may cap them at net.core.*mem_max).</summary>
    public const int DefaultBufferSize = 4 * 1024 * 1024;

    private readonly Socket _socket;
    private readonly SocketAddress _receiveAddress;
    private int _disposed;

    private UdpDatagramSocket(Socket socket)
    {
        _socket = socket;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _receiveAddress = new SocketAddress(socket.AddressFamily);
    }

    public IPEndPoint LocalEndPoint { get; }

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

    public async ValueTask SendAsync(ReadOnlyMemory<byte> datagram, IPEndPoint remote, CancellationToken cancellationToken = default)
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
            _socket.Dispose();
        }
        return ValueTask.CompletedTask;
    }

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
