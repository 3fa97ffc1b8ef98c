using System.Net;
using System.Threading.Channels;
using Ouinet.Net;

namespace Ouinet.Utp.Tests.Support;

/// <summary>
/// Datagram sockets that exchange datagrams in memory (tier-1 tests): no kernel, no ports. A node can be cut off
/// (<see cref="InMemoryDatagramSocket.Vanish"/>), and a filter can see and drop every datagram in flight.
/// </summary>
public sealed class InMemoryNetwork
{
    private readonly Dictionary<IPEndPoint, InMemoryDatagramSocket> _sockets = [];
    private readonly Lock _lock = new();
    private int _nextPort = 10000;

    /// <summary>Sees every datagram (from, to, bytes); returning false drops it.</summary>
    public Func<IPEndPoint, IPEndPoint, ReadOnlyMemory<byte>, bool>? Filter { get; set; }

    /// <summary>A socket on 127.0.0.1 (or on <paramref name="address"/>: nothing leaves the process either way).</summary>
    public InMemoryDatagramSocket Bind(IPAddress? address = null)
    {
        lock (_lock)
        {
            var endPoint = new IPEndPoint(address ?? IPAddress.Loopback, _nextPort++);
            var socket = new InMemoryDatagramSocket(this, endPoint);
            _sockets[endPoint] = socket;
            return socket;
        }
    }

    internal void Deliver(IPEndPoint from, IPEndPoint to, ReadOnlyMemory<byte> datagram)
    {
        InMemoryDatagramSocket? target;
        lock (_lock)
        {
            _sockets.TryGetValue(to, out target);
        }
        if (target is null || Filter?.Invoke(from, to, datagram) == false)
        {
            return;
        }
        target.Enqueue(datagram.ToArray(), from);
    }

    internal void Remove(IPEndPoint endPoint)
    {
        lock (_lock)
        {
            _sockets.Remove(endPoint);
        }
    }
}

public sealed class InMemoryDatagramSocket : IDatagramSocket
{
    private readonly InMemoryNetwork _network;
    private readonly Channel<(byte[] Data, IPEndPoint From)> _inbox = Channel.CreateUnbounded<(byte[], IPEndPoint)>();
    private volatile bool _vanished;

    internal InMemoryDatagramSocket(InMemoryNetwork network, IPEndPoint endPoint)
    {
        _network = network;
        LocalEndPoint = endPoint;
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>From now on this node neither sends nor receives: a peer that vanished without a word.</summary>
    public void Vanish() => _vanished = true;

    public ValueTask SendAsync(ReadOnlyMemory<byte> datagram, IPEndPoint remote, CancellationToken cancellationToken = default)
    {
        if (!_vanished)
        {
            _network.Deliver(LocalEndPoint, remote, datagram);
        }
        return ValueTask.CompletedTask;
    }

    public async ValueTask<DatagramReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var (data, from) = await _inbox.Reader.ReadAsync(cancellationToken);
            if (_vanished)
            {
                continue;
            }
            var length = Math.Min(data.Length, buffer.Length);
            data.AsSpan(0, length).CopyTo(buffer.Span);
            return new DatagramReceiveResult(length, from);
        }
    }

    internal void Enqueue(byte[] data, IPEndPoint from) => _inbox.Writer.TryWrite((data, from));

    public ValueTask DisposeAsync()
    {
        _network.Remove(LocalEndPoint);
        _inbox.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }
}
