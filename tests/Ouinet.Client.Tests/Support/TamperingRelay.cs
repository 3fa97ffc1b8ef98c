using System.Net;
using System.Net.Sockets;

namespace Ouinet.Client.Tests.Support;

/// <summary>
/// A TCP relay between the client and the injector that flips one bit of what the injector sends, at byte
/// <see cref="FlipAt"/> of each connection's downstream (past the head, inside the signed body for a large response).
/// </summary>
internal sealed class TamperingRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    private readonly Task _accept;

    public TamperingRelay(IPEndPoint target, long flipAt)
    {
        _target = target;
        FlipAt = flipAt;
        _listener.Start();
        _accept = AcceptAsync();
    }

    public long FlipAt { get; }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>How many bytes were flipped so far.</summary>
    public int Flipped { get; private set; }

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accept;
        }
        catch (OperationCanceledException)
        {
        }
        List<Task> tasks;
        lock (_tasks)
        {
            tasks = [.. _tasks];
        }
        await Task.WhenAll(tasks.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            lock (_tasks)
            {
                _tasks.Add(RelayAsync(client));
            }
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            await upstream.ConnectAsync(_target, _stop.Token);
            var a = client.GetStream();
            var b = upstream.GetStream();
            using var either = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var up = CopyAsync(a, b, null, either);
            var down = CopyAsync(b, a, FlipAt, either);
            await Task.WhenAny(up, down);
            await either.CancelAsync();
        }
    }

    private async Task CopyAsync(Stream from, Stream to, long? flipAt, CancellationTokenSource either)
    {
        var buffer = new byte[16 * 1024];
        long position = 0;
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer, either.Token)) > 0)
            {
                if (flipAt is { } at && at >= position && at < position + n)
                {
                    buffer[at - position] ^= 0x01;
                    Flipped++;
                }
                position += n;
                await to.WriteAsync(buffer.AsMemory(0, n), either.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
        await either.CancelAsync();
    }
}
