using System.Net;
using System.Net.Sockets;
using Ouinet.Client.Proxy;

namespace Ouinet.Client.Tests.Proxy;

public class SocketFileSenderTests
{
    [Fact(Timeout = 30000)]
    public async Task SendsTheRangeExactly_AndLeavesTheFileOpenForItsOwner()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        var data = new byte[3 * 1024 * 1024 + 123];
        Random.Shared.NextBytes(data);
        var path = dir.Combine("body");
        await File.WriteAllBytesAsync(path, data, ct);
        using var file = File.OpenHandle(path, options: FileOptions.Asynchronous); // as the store opens bodies
        var (server, browser) = await ConnectAsync(ct);
        using (server)
        using (browser)
        {
            var received = new MemoryStream();
            var reading = new NetworkStream(browser).CopyToAsync(received, ct);
            var progress = 0;
            await new SocketFileSender(server, () => progress++).SendAsync(file, 1000, data.Length - 2000, ct);
            server.Shutdown(SocketShutdown.Send);
            await reading;
            Assert.Equal(data.AsSpan(1000, data.Length - 2000).ToArray(), received.ToArray());
            Assert.Equal(3, progress); // one per segment of up to 1 MiB
        }
        var again = new byte[10];
        Assert.Equal(10, RandomAccess.Read(file, again, 5)); // the sender's view did not close the owner's handle
        Assert.Equal(data.AsSpan(5, 10).ToArray(), again);
    }

    [Fact(Timeout = 30000)]
    public async Task ABrowserThatStopsReading_IsLeftWhenTheRequestIsCanceled()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        var path = dir.Combine("body");
        await using (var stream = File.Create(path))
        {
            stream.SetLength(256L * 1024 * 1024); // far more than the socket buffers hold
        }
        using var file = File.OpenHandle(path, options: FileOptions.Asynchronous); // as the store opens bodies
        var (server, browser) = await ConnectAsync(ct);
        using (server)
        using (browser)
        {
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var sending = new SocketFileSender(server, null).SendAsync(file, 0, 256L * 1024 * 1024, cancel.Token).AsTask();
            await Task.Delay(500, ct);
            Assert.False(sending.IsCompleted);
            await cancel.CancelAsync();
            var error = await Assert.ThrowsAnyAsync<Exception>(() => sending.WaitAsync(TimeSpan.FromSeconds(20), ct));
            Assert.True(error is IOException or OperationCanceledException, error.ToString());
        }
    }

    private static async Task<(Socket Server, Socket Browser)> ConnectAsync(CancellationToken ct)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var browser = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await browser.ConnectAsync(listener.LocalEndPoint!, ct);
        return (await listener.AcceptAsync(ct), browser);
    }
}
