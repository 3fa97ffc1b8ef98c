using System.Net;
using Ouinet.Net;
using Ouinet.Utp.Tests.Support;

namespace Ouinet.Utp.Tests;

/// <summary>
/// uTP over each way Ouinet.Net can move datagrams on Linux: segmented sends taken whole by the receiver (GSO and
/// GRO), sendmmsg and recvmmsg without either, and .NET's socket alone. 1400-byte packets, both ways at once, so every
/// batch path carries DATA and ACKs.
/// </summary>
public class UdpPathTests
{
    [Theory(Timeout = 30000)]
    [InlineData("All")]
    [InlineData("Native")]
    [InlineData("None")]
    public async Task ATransferBothWays_IsByteExact_OnEveryUdpPath(string pathNames)
    {
        var ct = TestContext.Current.CancellationToken;
        var paths = Enum.Parse<UdpFastPaths>(pathNames);
        var options = new UtpSocketOptions { LoopbackPacketSize = 1400 };
        var serverUdp = UdpDatagramSocket.Bind(UtpPair.AnyLoopback, UdpDatagramSocket.DefaultBufferSize, paths);
        await using var server = UtpSocket.Create(serverUdp, options with { AcceptBacklog = 1 });
        var clientUdp = UdpDatagramSocket.Bind(UtpPair.AnyLoopback, UdpDatagramSocket.DefaultBufferSize, paths);
        await using var client = UtpSocket.Create(clientUdp, options);
        var up = UtpPair.RandomBytes(3_000_000);
        var down = UtpPair.RandomBytes(2_000_000);

        var (atServer, atClient) = await UtpPair.ExchangeAsync(server, client, server.LocalEndPoint, up, down, ct);

        Assert.Equal(up, atServer);
        Assert.Equal(down, atClient);
        if (paths == UdpFastPaths.All && clientUdp.FastPaths.HasFlag(UdpFastPaths.Segmentation))
        {
            Assert.True(clientUdp.SegmentedSends > 0 && serverUdp.SegmentedSends > 0, "no segmented sends");
        }
        else
        {
            Assert.Equal(0, clientUdp.SegmentedSends + serverUdp.SegmentedSends);
        }
    }
}
