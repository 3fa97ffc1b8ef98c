using System.Security.Cryptography;
using Ouinet.Overlay.Simulation;
using Ouinet.Overlay.Tests.Support;

namespace Ouinet.Overlay.Tests.Flows;

/// <summary>
/// Bulk reliable transfers over a line of three members (the injector's shape: client — relay — injector), in
/// simulated time, with the teardown the injector's streams do: each side deallocates as soon as its own data is
/// acknowledged, and the other side's last messages must still be acknowledged (the half-deallocated receiver).
/// </summary>
public class ReliableTransferTests(ITestOutputHelper output)
{
    private const int MessageSize = 1200;

    /// <summary>Pushes <paramref name="total"/> bytes into <paramref name="flow"/> as fast as its queue takes them (a 1 ms simulated writer loop).</summary>
    private static ITimer Writer(SimulatedTime time, OverlayNode node, Flow flow, byte[] data, Action? done = null)
    {
        var offset = 0;
        ITimer? timer = null;
        timer = time.CreateTimer(_ =>
        {
            lock (node.Context.Gate)
            {
                while (offset < data.Length)
                {
                    var n = Math.Min(MessageSize, data.Length - offset);
                    if (!flow.TrySend(data.AsSpan(offset, n).ToArray()))
                    {
                        return;
                    }
                    offset += n;
                }
            }
            timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            done?.Invoke();
        }, null, TimeSpan.Zero, TimeSpan.FromMilliseconds(1));
        return timer;
    }

    private static (SimOverlay Sim, Flow Client, Flow Server) Connect(int seed, LinkProfile? profile, CancellationToken ct)
    {
        var sim = SimOverlay.Create(3, SimOverlay.Line(3), seed);
        if (profile is not null)
        {
            sim.Network.SetLink(sim.Endpoints[0], sim.Endpoints[1], profile);
            sim.Network.SetLink(sim.Endpoints[1], sim.Endpoints[2], profile);
        }
        Assert.True(sim.RunUntilConverged(TimeSpan.FromSeconds(60)));
        Flow? server = null;
        sim.Nodes[0].Register("server", "uni");
        sim.Nodes[0].BindInternal("server", f => server = f);
        sim.Time.RunFor(TimeSpan.FromSeconds(2));
        var client = sim.Run(sim.Nodes[2].AllocAsync("server", QosSpec.Data, ct), TimeSpan.FromSeconds(60));
        return (sim, client, server ?? throw new InvalidOperationException("no flow"));
    }

    [Theory(Timeout = 60_000)]
    [InlineData(0.0)]
    [InlineData(0.02)]
    public async Task Four_megabytes_cross_three_members_intact_in_order_and_both_ends_close(double loss)
    {
        var (sim, client, server) = Connect(seed: 7, loss > 0 ? new LinkProfile { Latency = TimeSpan.FromMilliseconds(5), Loss = loss } : null, TestContext.Current.CancellationToken);
        await using var _ = sim;
        var data = RandomNumberGenerator.GetBytes(4 << 20);
        using var received = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long got = 0;
        server.Sink = m =>
        {
            received.AppendData(m);
            got += m.Length;
        };
        var start = sim.Time.Elapsed;
        using var writer = Writer(sim.Time, sim.Nodes[2], client, data);
        Assert.True(sim.Time.RunUntil(() => got == data.Length, TimeSpan.FromSeconds(120)), $"{got} of {data.Length} bytes arrived\n{client.GetStatistics().ToText()}");
        var seconds = (sim.Time.Elapsed - start).TotalSeconds;
        output.WriteLine($"loss {loss:P0}: 4 MiB in {seconds:0.00} s simulated ({data.Length * 8 / seconds / 1e6:0.0} Mbit/s); {client.GetStatistics().Retransmissions} retransmissions");
        Assert.Equal(SHA256.HashData(data), received.GetHashAndReset());
        // Teardown as the injector's streams do it: the client lingers until acknowledged, then the server closes.
        Assert.True(sim.Time.RunUntil(() => client.IsDrainedForTest, TimeSpan.FromSeconds(30)));
        lock (sim.Nodes[2].Context.Gate)
        {
            client.DeallocateGracefully();
        }
        Assert.Equal("half-deallocated", client.GetStatistics().State);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_message_sent_after_the_peer_deallocated_is_still_acknowledged_so_the_sender_does_not_linger()
    {
        // The injector's shape: the server answers and deallocates as soon as its answer is acknowledged; the client's
        // last message (its end of stream) comes after. Before the half-deallocated receiver, nothing acknowledged it
        // and the client's dealloc lingered for FRCP's R (120 s).
        var (sim, client, server) = Connect(seed: 3, profile: null, TestContext.Current.CancellationToken);
        await using var _ = sim;
        var atClient = new List<byte[]>();
        client.Sink = atClient.Add;
        lock (sim.Nodes[0].Context.Gate)
        {
            Assert.True(server.TrySend([1, 2, 3]));
        }
        Assert.True(sim.Time.RunUntil(() => atClient.Count == 1 && server.IsDrainedForTest, TimeSpan.FromSeconds(10)));
        lock (sim.Nodes[0].Context.Gate)
        {
            server.DeallocateGracefully();
        }
        sim.Time.RunFor(TimeSpan.FromMilliseconds(200));
        lock (sim.Nodes[2].Context.Gate)
        {
            Assert.True(client.TrySend([4]));
        }
        Assert.True(sim.Time.RunUntil(() => client.IsDrainedForTest, TimeSpan.FromSeconds(5)), client.GetStatistics().ToText());
        Assert.Equal("half-deallocated", server.GetStatistics().State);
        Assert.Equal(0, server.GetStatistics().ReceivedPackets);

        // After the TIME-WAIT the server's flow is gone for good.
        sim.Time.RunFor(Flow.DeltaA);
        Assert.Equal("deallocated", server.GetStatistics().State);
    }
}
