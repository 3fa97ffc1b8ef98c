using System.Net;
using System.Security.Cryptography;

namespace Ouinet.Utp.Tests;

public class TransferTests
{
    private static readonly IPEndPoint AnyLoopback = new(IPAddress.Loopback, 0);

    [Fact(Timeout = 30000)]
    public async Task RandomData_ArrivesByteExact_BothWays()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = UtpSocket.Bind(AnyLoopback, new UtpSocketOptions { AcceptBacklog = 4 });
        await using var client = UtpSocket.Bind(AnyLoopback);
        var up = RandomNumberGenerator.GetBytes(3_000_000);
        var down = RandomNumberGenerator.GetBytes(1_000_000);

        var accept = Task.Run(async () =>
        {
            await using var s = await server.AcceptAsync(ct);
            var read = ReadAllAsync(s, ct);
            await s.WriteAsync(down, ct);
            s.CompleteWrites();
            return await read;
        }, ct);
        await using var c = await client.ConnectAsync(server.LocalEndPoint, ct);
        var readDown = ReadAllAsync(c, ct);
        await c.WriteAsync(up, ct);
        c.CompleteWrites();
        Assert.Equal(down, await readDown);
        Assert.Equal(up, await accept);
    }

    internal static async Task<byte[]> ReadAllAsync(Stream s, CancellationToken ct)
    {
        var ms = new MemoryStream();
        var buffer = new byte[65536];
        int n;
        while ((n = await s.ReadAsync(buffer, ct)) > 0)
        {
            ms.Write(buffer, 0, n);
        }
        return ms.ToArray();
    }
}
