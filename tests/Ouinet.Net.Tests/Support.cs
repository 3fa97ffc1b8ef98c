using System.Net;
using System.Threading.Channels;

namespace Ouinet.Net.Tests;

/// <summary>A multiplexer whose one consumer copies every datagram into a channel.</summary>
internal sealed class CollectingMultiplexer : IAsyncDisposable
{
    private readonly Channel<(byte[] Data, IPEndPoint From)> _received = Channel.CreateUnbounded<(byte[], IPEndPoint)>();

    public CollectingMultiplexer(UdpFastPaths paths)
    {
        Socket = UdpDatagramSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0), UdpDatagramSocket.DefaultBufferSize, paths);
        Multiplexer = new UdpMultiplexer(Socket);
        Multiplexer.Register(_ => true, (d, from) => _received.Writer.TryWrite((d.ToArray(), from)));
        Multiplexer.Start();
    }

    public UdpDatagramSocket Socket { get; }

    public UdpMultiplexer Multiplexer { get; }

    public IPEndPoint EndPoint => Multiplexer.LocalEndPoint;

    public async Task<List<(byte[] Data, IPEndPoint From)>> ReceiveAsync(int count, CancellationToken cancellationToken)
    {
        var list = new List<(byte[], IPEndPoint)>(count);
        while (list.Count < count)
        {
            list.Add(await _received.Reader.ReadAsync(cancellationToken));
        }
        return list;
    }

    /// <summary>Nothing more arrives within <paramref name="wait"/> (for "no extra datagram" checks).</summary>
    public async Task<bool> StaysQuietAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        try
        {
            await _received.Reader.WaitToReadAsync(timeout.Token);
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return true;
        }
    }

    public ValueTask DisposeAsync() => Multiplexer.DisposeAsync();
}
