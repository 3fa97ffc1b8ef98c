using System.Net;

namespace Ouinet.Net;

/// <summary>What one receive produced: how many bytes landed in the caller's buffer, and from whom.</summary>
public readonly record struct DatagramReceiveResult(int Length, IPEndPoint RemoteEndPoint);

/// <summary>
/// A datagram socket: a real UDP socket (<see cref="UdpDatagramSocket"/>) or a simulated one in tests. Receives go into
/// the caller's buffer, so a busy transport allocates nothing per packet.
/// </summary>
public interface IDatagramSocket : IAsyncDisposable
{
    IPEndPoint LocalEndPoint { get; }

    /// <summary>Sends one datagram. Sending never blocks on the peer; a full send buffer or an unreachable peer may drop it.</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> datagram, IPEndPoint remote, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends several datagrams to one peer, in order; a socket that can do it in fewer system calls overrides this
    /// (<see cref="UdpDatagramSocket"/>). The buffers must stay untouched until the returned task completes.
    /// </summary>
    ValueTask SendBatchAsync(ReadOnlySpan<ReadOnlyMemory<byte>> datagrams, IPEndPoint remote, CancellationToken cancellationToken = default)
    {
        List<Task>? pending = null;
        foreach (var datagram in datagrams)
        {
            var send = SendAsync(datagram, remote, cancellationToken);
            if (send.IsCompletedSuccessfully)
            {
                continue;
            }
            (pending ??= []).Add(send.AsTask());
        }
        return pending is null ? ValueTask.CompletedTask : new ValueTask(Task.WhenAll(pending));
    }

    /// <summary>Receives one datagram into <paramref name="buffer"/> (a longer datagram is truncated).</summary>
    ValueTask<DatagramReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);
}
