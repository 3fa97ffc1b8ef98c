using System.Net;
using Ouinet.Net;

namespace Ouinet.Overlay.Simulation;

/// <summary>
/// What the UDP shim needs of a socket: synchronous delivery of each datagram to one handler (like
/// <see cref="UdpMultiplexer"/>) and fire-and-forget sends. A real UDP socket or a port of a <see cref="VirtualNetwork"/>.
/// </summary>
public interface IDatagramPort : IAsyncDisposable
{
    IPEndPoint LocalEndPoint { get; }

    /// <summary>Starts delivering datagrams to <paramref name="handler"/> (the span is valid only during the call).</summary>
    void Start(DatagramHandler handler);

    /// <summary>Sends a copy of <paramref name="datagram"/>; never blocks, may drop.</summary>
    void Send(ReadOnlySpan<byte> datagram, IPEndPoint remote);
}

/// <summary>A real UDP socket (through <see cref="UdpMultiplexer"/>, whose receive loop calls the handler).</summary>
public sealed class UdpDatagramPort : IDatagramPort
{
    private readonly UdpMultiplexer _mux;

    private UdpDatagramPort(UdpMultiplexer mux) => _mux = mux;

    public static UdpDatagramPort Bind(IPEndPoint endpoint) => new(UdpMultiplexer.Bind(endpoint));

    public IPEndPoint LocalEndPoint => _mux.LocalEndPoint;

    public void Start(DatagramHandler handler)
    {
        _mux.Register(_ => true, handler);
        _mux.Start();
    }

    public void Send(ReadOnlySpan<byte> datagram, IPEndPoint remote)
    {
        var pending = _mux.SendAsync(datagram.ToArray(), remote);
        if (!pending.IsCompletedSuccessfully)
        {
            _ = Observe(pending);
        }
    }

    private static async Task Observe(ValueTask pending)
    {
        try
        {
            await pending;
        }
        catch (Exception e) when (e is ObjectDisposedException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            // A datagram lost at shutdown or to an error: UDP promises nothing more.
        }
    }

    public ValueTask DisposeAsync() => _mux.DisposeAsync();
}
