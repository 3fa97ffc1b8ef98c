using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using Ouinet.Utp.Packets;

namespace Ouinet.Utp.Tests.Support;

/// <summary>
/// Two uTP sockets on an in-memory network with a fake clock: time moves only when the test says so, and every
/// packet is recorded (and can be dropped) on its way.
/// </summary>
internal sealed class FakeNetwork : IAsyncDisposable
{
    public static readonly UtpSocketOptions DefaultOptions = new()
    {
        TickInterval = TimeSpan.FromMilliseconds(10),
        LoopbackPacketSize = 1400,
    };

    private FakeNetwork(UtpSocketOptions? serverOptions, UtpSocketOptions? clientOptions)
    {
        Network.Filter = (from, to, datagram) =>
        {
            if (UtpPacketReader.TryRead(datagram.Span, out var packet, out _))
            {
                Packets.Enqueue((from, packet.Header, packet.Payload.Length));
            }
            return Drop?.Invoke(from, to) != true;
        };
        ServerDatagrams = Network.Bind();
        ClientDatagrams = Network.Bind();
        Server = UtpSocket.Create(ServerDatagrams, (serverOptions ?? DefaultOptions) with { AcceptBacklog = 8 }, Time);
        Client = UtpSocket.Create(ClientDatagrams, clientOptions ?? DefaultOptions, Time);
    }

    public InMemoryNetwork Network { get; } = new();

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UnixEpoch);

    public InMemoryDatagramSocket ServerDatagrams { get; }

    public InMemoryDatagramSocket ClientDatagrams { get; }

    public UtpSocket Server { get; }

    public UtpSocket Client { get; }

    /// <summary>Every uTP packet sent: who sent it, its header, its payload length.</summary>
    public ConcurrentQueue<(IPEndPoint From, UtpHeader Header, int PayloadLength)> Packets { get; } = new();

    /// <summary>Returns true to drop a datagram (from, to).</summary>
    public Func<IPEndPoint, IPEndPoint, bool>? Drop { get; set; }

    public static FakeNetwork Create(UtpSocketOptions? serverOptions = null, UtpSocketOptions? clientOptions = null) => new(serverOptions, clientOptions);

    public async Task<(UtpStream Client, UtpStream Server)> ConnectAsync(CancellationToken cancellationToken)
    {
        var accept = Server.AcceptAsync(cancellationToken);
        var client = await Client.ConnectAsync(ServerDatagrams.LocalEndPoint, cancellationToken);
        return (client, await accept);
    }

    /// <summary>Moves the clock in small steps, letting the receive loops run in between, until <paramref name="done"/> or the total is spent.</summary>
    public async Task AdvanceAsync(TimeSpan total, Func<bool>? done = null, TimeSpan? step = null)
    {
        var by = step ?? TimeSpan.FromMilliseconds(50);
        for (var passed = TimeSpan.Zero; passed < total && done?.Invoke() != true; passed += by)
        {
            Time.Advance(by);
            await Task.Yield();
            await Task.Delay(1, CancellationToken.None); // let the in-memory receive loops take what the timers sent
        }
    }

    public int CountFrom(IPEndPoint from, UtpPacketType type) => Packets.Count(p => p.From.Equals(from) && p.Header.Type == type);

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
    }
}
