using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Ouinet.Client.Responses;
using Ouinet.Http;
using Ouinet.Injector;
using Ouinet.Injector.Origin;

namespace Ouinet.Client.Proxy;

/// <summary>
/// CONNECT to a port that is not intercepted: a byte tunnel to the origin (when origin access is enabled), each
/// direction copied until its sender closes and that close passed on, one idle timeout over both.
/// </summary>
internal static class Tunnel
{
    private const int BufferSize = 64 * 1024;

    public static async Task RunAsync(OuinetClient client, string host, int port, HttpMessageReader reader, PipeWriter output, ProgressStream browser, CancellationToken abort)
    {
        if (!client.Switches.Current.OriginAccess)
        {
            await WriteErrorAsync(output, 403, $"CONNECT to port {port} is a tunnel to the origin, and origin access is disabled (disable-origin-access).", abort);
            return;
        }
        using var idle = new IdleTimeout(client.Options.IdleTimeout, client.Options.TimeProvider, abort);
        NetworkStream origin;
        try
        {
            origin = await client.Origins.ConnectTunnelAsync(host, port, idle.Token);
        }
        catch (Exception e) when (e is OriginException || (e is OperationCanceledException && idle.HasTimedOut))
        {
            await WriteErrorAsync(output, 502, $"Cannot tunnel to {host}:{port}: {e.Message}", abort);
            return;
        }
        await using (origin)
        {
            output.Write("HTTP/1.1 200 Connection established\r\n\r\n"u8);
            await output.FlushAsync(idle.Token);
            var input = reader.DetachInput();
            using var both = CancellationTokenSource.CreateLinkedTokenSource(idle.Token);
            browser.OnProgress = idle.Reset;
            var up = UpAsync(input, origin, idle, both);
            var down = DownAsync(origin, browser, idle, both);
            try
            {
                await Task.WhenAll(up, down);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException && !abort.IsCancellationRequested)
            {
                Log.TransferAborted(client.Logger, idle.HasTimedOut ? "tunnel idle timeout" : e.Message);
            }
            finally
            {
                browser.OnProgress = null;
                await input.CompleteAsync();
            }
        }
    }

    private static async Task WriteErrorAsync(PipeWriter output, int status, string message, CancellationToken cancellationToken)
    {
        var body = System.Text.Encoding.UTF8.GetBytes(message + "\n");
        var head = BrowserHead.Error(status, 3, "Resource retrieval failed");
        head.Fields.Add("Content-Length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        head.Fields.Add("Connection", "close");
        HttpWriter.WriteResponseHead(output, head);
        output.Write(body);
        await output.FlushAsync(cancellationToken);
    }

    private static async Task UpAsync(PipeReader browser, NetworkStream origin, IdleTimeout idle, CancellationTokenSource both)
    {
        try
        {
            while (true)
            {
                var result = await browser.ReadAsync(both.Token);
                foreach (var segment in result.Buffer)
                {
                    await origin.WriteAsync(segment, both.Token);
                    idle.Reset();
                }
                browser.AdvanceTo(result.Buffer.End);
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

    private static async Task DownAsync(NetworkStream origin, ProgressStream browser, IdleTimeout idle, CancellationTokenSource both)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int n;
            while ((n = await origin.ReadAsync(buffer.AsMemory(0, BufferSize), both.Token)) > 0)
            {
                idle.Reset();
                await browser.WriteAsync(buffer.AsMemory(0, n), both.Token);
            }
            if (browser.Inner is NetworkStream { Socket: { } socket })
            {
                socket.Shutdown(SocketShutdown.Send);
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
