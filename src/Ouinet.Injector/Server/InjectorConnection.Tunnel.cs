using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Ouinet.Http;
using Ouinet.Injector.Origin;

namespace Ouinet.Injector;

internal sealed partial class InjectorConnection
{
    private const int TunnelBufferSize = 64 * 1024;

    /// <summary>
    /// CONNECT: a byte tunnel to the target host:port, after the same address checks as any fetch. The injector never
    /// looks inside. Each direction is copied until its sender closes, and that close is passed on (half-close), so
    /// TLS and other protocols inside end cleanly; the idle timeout covers both directions together.
    /// </summary>
    private async Task<bool> TunnelAsync(HttpRequestHead head, bool keepAlive, IdleTimeout idle)
    {
        if (_options.IsProxyDisabled)
        {
            return await RefuseAsync(403, InjectorErrorCode.ProxyDisabled, "This injector does not tunnel (CONNECT is disabled).", keepAlive, idle);
        }
        if (!RequestTarget.TryParseAuthority(head.Target, out var host, out var port) || port == 0)
        {
            await WriteResponseAsync(400, null, "CONNECT needs a host:port target.", close: true, _server.Abort);
            return false;
        }
        host = host.Trim('[', ']');
        NetworkStream origin;
        try
        {
            origin = await Origins.ConnectTunnelAsync(host, port, idle.Token);
        }
        catch (OriginException e)
        {
            return await OriginFailedAsync(e, keepAlive, idle);
        }
        catch (OperationCanceledException e) when (idle.HasTimedOut)
        {
            return await OriginFailedAsync(new OriginException(OriginError.Timeout, $"Nothing moved for {_options.IdleTimeout.TotalSeconds:0.#} s.", e), keepAlive, idle);
        }
        await using (origin)
        {
            _output.Write("HTTP/1.1 200 Connection established\r\n\r\n"u8);
            await FlushAsync(idle.Token);
            var clientInput = _reader.DetachInput();
            using var both = CancellationTokenSource.CreateLinkedTokenSource(idle.Token);
            var up = CopyUpAsync(clientInput, origin, idle, both);
            var down = CopyDownAsync(origin, idle, both);
            try
            {
                await Task.WhenAll(up, down);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException && !_server.Abort.IsCancellationRequested)
            {
                Log.TransferAborted(_logger, idle.HasTimedOut ? "tunnel idle timeout" : e.Message);
            }
        }
        return false;
    }

    /// <summary>Client to origin, starting with whatever the client sent after its CONNECT head.</summary>
    private static async Task CopyUpAsync(PipeReader client, NetworkStream origin, IdleTimeout idle, CancellationTokenSource both)
    {
        try
        {
            while (true)
            {
                var result = await client.ReadAsync(both.Token);
                foreach (var segment in result.Buffer)
                {
                    await origin.WriteAsync(segment, both.Token);
                    idle.Reset();
                }
                client.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
            origin.Socket.Shutdown(SocketShutdown.Send);
        }
        catch
        {
            await both.CancelAsync();
            throw;
        }
    }

    /// <summary>Origin to client; the client's progress stream resets the idle timeout on each write.</summary>
    private async Task CopyDownAsync(NetworkStream origin, IdleTimeout idle, CancellationTokenSource both)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(TunnelBufferSize);
        try
        {
            int n;
            while ((n = await origin.ReadAsync(buffer.AsMemory(0, TunnelBufferSize), both.Token)) > 0)
            {
                idle.Reset();
                await _client.WriteAsync(buffer.AsMemory(0, n), both.Token);
            }
            if (_tls is not null)
            {
                await _tls.ShutdownAsync();
            }
            else if (_socket is not null)
            {
                _socket.Shutdown(SocketShutdown.Send);
            }
            else
            {
                await _stream!.CompleteWritesAsync();
            }
        }
        catch
        {
            await both.CancelAsync();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
