using Ouinet.Utp.Tests.Support;

namespace Ouinet.Utp.Tests;

/// <summary>Transfers through a lossy relay on loopback must arrive byte-exact, both ways at once.</summary>
public class LossTests
{
    public static TheoryData<double, int> LossRates => new()
    {
        { 0.0, 1400 },
        { 0.01, 1400 },
        { 0.05, 1400 },
        { 0.0, 64_000 },
        { 0.01, 64_000 },
        { 0.05, 64_000 },
    };

    [Theory(Timeout = 60000)]
    [MemberData(nameof(LossRates))]
    public async Task RandomData_ThroughALossyRelay_ArrivesByteExact(double loss, int loopbackPacketSize)
    {
        var ct = TestContext.Current.CancellationToken;
        var options = new UtpSocketOptions { LoopbackPacketSize = loopbackPacketSize };
        await using var server = UtpPair.Listener(options);
        await using var client = UtpPair.Client(options);
        await using var relay = new LossyUdpRelay(server.LocalEndPoint, new RelayImpairments { Loss = loss }, seed: 7);
        var up = UtpPair.RandomBytes(2_000_000);
        var down = UtpPair.RandomBytes(500_000);

        var (atServer, atClient) = await UtpPair.ExchangeAsync(server, client, relay.EndPoint, up, down, ct);

        Assert.Equal(up, atServer);
        Assert.Equal(down, atClient);
        if (loss > 0 && relay.Forwarded > 1000)
        {
            Assert.True(relay.Dropped > 0, "the relay dropped nothing");
        }
    }

    [Fact(Timeout = 60000)]
    public async Task Reordering_Duplication_AndJitter_StillDeliverInOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = new UtpSocketOptions { LoopbackPacketSize = 1400, LogEndpoints = true };
        var logs = new ListLoggerFactory();
        await using var server = UtpSocket.Bind(UtpPair.AnyLoopback, options with { AcceptBacklog = 8 }, loggerFactory: logs);
        await using var client = UtpSocket.Bind(UtpPair.AnyLoopback, options, loggerFactory: logs);
        var impairments = new RelayImpairments
        {
            Loss = 0.01,
            Duplication = 0.02,
            Reordering = 0.05,
            Delay = TimeSpan.FromMilliseconds(2),
            Jitter = TimeSpan.FromMilliseconds(4),
        };
        await using var relay = new LossyUdpRelay(server.LocalEndPoint, impairments, seed: 11);
        var up = UtpPair.RandomBytes(1_000_000);
        var down = UtpPair.RandomBytes(300_000);

        try
        {
            var (atServer, atClient) = await UtpPair.ExchangeAsync(server, client, relay.EndPoint, up, down, ct);
            Diagnose(up, atServer, "up");
            Diagnose(down, atClient, "down");
        }
        catch (Exception e)
        {
            throw new InvalidOperationException(e.Message + $"server {server.LocalEndPoint}, client {client.LocalEndPoint}, relay {relay.EndPoint}:\n" + string.Join("\n", logs.Lines), e);
        }
    }

    private static void Diagnose(byte[] expected, byte[] actual, string what)
    {
        if (expected.AsSpan().SequenceEqual(actual))
        {
            return;
        }
        var first = 0;
        while (first < Math.Min(expected.Length, actual.Length) && expected[first] == actual[first])
        {
            first++;
        }
        var probe = actual.AsSpan(first, Math.Min(64, actual.Length - first)).ToArray();
        var found = expected.AsSpan().IndexOf(probe);
        throw new InvalidOperationException($"{what}: lengths {expected.Length}/{actual.Length}, first difference at {first}, actual bytes there come from expected offset {found}");
    }
}
