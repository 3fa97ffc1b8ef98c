using System.Net;
using System.Security.Cryptography;

namespace Ouinet.Utp.Tests.Support;

/// <summary>Helpers shared by the transfer tests: sockets on loopback, whole-stream reads, random payloads.</summary>
internal static class UtpPair
{
    public static readonly IPEndPoint AnyLoopback = new(IPAddress.Loopback, 0);

    public static UtpSocket Listener(UtpSocketOptions? options = null) =>
        UtpSocket.Bind(AnyLoopback, (options ?? new UtpSocketOptions()) with { AcceptBacklog = Math.Max(8, options?.AcceptBacklog ?? 0) });

    public static UtpSocket Client(UtpSocketOptions? options = null) => UtpSocket.Bind(AnyLoopback, options);

    public static byte[] RandomBytes(int count) => RandomNumberGenerator.GetBytes(count);

    public static async Task<byte[]> ReadAllAsync(Stream stream, CancellationToken cancellationToken)
    {
        var all = new MemoryStream();
        var buffer = new byte[65536];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            all.Write(buffer, 0, read);
        }
        return all.ToArray();
    }

    public static async Task<byte[]> ReadAllAsyncUntil(Stream stream, int count, CancellationToken cancellationToken)
    {
        var all = new byte[count];
        var at = 0;
        while (at < count)
        {
            var read = await stream.ReadAsync(all.AsMemory(at), cancellationToken);
            if (read == 0)
            {
                break;
            }
            at += read;
        }
        return all[..at];
    }

    /// <summary>Sends <paramref name="up"/> from the client and <paramref name="down"/> from the server at the same time; returns what each side read.</summary>
    public static async Task<(byte[] AtServer, byte[] AtClient)> ExchangeAsync(
        UtpSocket server, UtpSocket client, IPEndPoint target, byte[] up, byte[] down, CancellationToken cancellationToken)
    {
        var serverSide = Task.Run(async () =>
        {
            await using var stream = await server.AcceptAsync(cancellationToken);
            var read = ReadAllAsync(stream, cancellationToken);
            await stream.WriteAsync(down, cancellationToken);
            stream.CompleteWrites();
            var got = await read;
            await stream.WritesClosed.WaitAsync(cancellationToken);
            return got;
        }, cancellationToken);
        await using var stream = await client.ConnectAsync(target, cancellationToken);
        var readDown = ReadAllAsync(stream, cancellationToken);
        await stream.WriteAsync(up, cancellationToken);
        stream.CompleteWrites();
        var atClient = await readDown;
        await stream.WritesClosed.WaitAsync(cancellationToken);
        return (await serverSide, atClient);
    }
}
