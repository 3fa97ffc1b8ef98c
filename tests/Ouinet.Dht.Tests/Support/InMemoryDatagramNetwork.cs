using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Ouinet.Net;

namespace Ouinet.Dht.Tests.Support;

/// <summary>
/// Datagram sockets that live in memory (tier 1 of the test plan): a send to a known endpoint lands in that socket's
/// queue at once, a send elsewhere is lost. Every send is recorded, so a test can prove where a node tried to talk.
/// </summary>
internal sealed class InMemoryDatagramNetwork
{
    private readonly ConcurrentDictionary<IPEndPoint, Socket> _sockets = new();
    private int _nextHost = 1;

    public ConcurrentQueue<(IPEndPoint From, IPEndPoint To)> Sends { get; } = new();

    /// <summary>A socket at 127.0.0.N:6881, a new N each time.</summary>
    public IDatagramSocket Bind()
    {
        var n = Interlocked.Increment(ref _nextHost);
        var endPoint = new IPEndPoint(new IPAddress([127, 0, (byte)(n >> 8), (byte)n]), 6881);
        var socket = new Socket(this, endPoint);
        _sockets[endPoint] = socket;
        return socket;
    }

    private sealed class Socket(InMemoryDatagramNetwork network, IPEndPoint local) : IDatagramSocket
    {
        private readonly Channel<(byte[], IPEndPoint)> _inbox = Channel.CreateUnbounded<(byte[], IPEndPoint)>();

        public IPEndPoint LocalEndPoint { get; } = local;

        public ValueTask SendAsync(ReadOnlyMemory<byte> datagram, IPEndPoint remote, CancellationToken cancellationToken = default)
        {
            network.Sends.Enqueue((LocalEndPoint, remote));
            if (network._sockets.TryGetValue(remote, out var target))
            {
                target._inbox.Writer.TryWrite((datagram.ToArray(), LocalEndPoint));
            }
            return ValueTask.CompletedTask;
        }

        public async ValueTask<DatagramReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            (byte[] data, IPEndPoint from) item;
            try
            {
                item = await _inbox.Reader.ReadAsync(cancellationToken);
            }
            catch (ChannelClosedException)
            {
                throw new ObjectDisposedException(nameof(Socket));
            }
            var (data, from) = item;
            var n = Math.Min(data.Length, buffer.Length);
            data.AsSpan(0, n).CopyTo(buffer.Span);
            return new DatagramReceiveResult(n, from);
        }

        public ValueTask DisposeAsync()
        {
            network._sockets.TryRemove(LocalEndPoint, out _);
            _inbox.Writer.TryComplete();
            return ValueTask.CompletedTask;
        }
    }
}
