using System.Globalization;
using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;
using Ouinet.Client.Responses;

namespace Ouinet.Client.Proxy;

/// <summary>
/// <see cref="IFileSender"/> for a plain TCP browser connection on Linux: <see cref="Socket.SendPacketsAsync"/> with a file
/// element, which .NET carries out with <c>sendfile</c> at an explicit offset (the file's position is not used, so
/// connections can share one open entry). Sent in segments so that each reports progress to the idle timeout and a
/// canceled request stops within one segment.
/// </summary>
internal sealed class SocketFileSender(Socket socket, Action? onProgress) : IFileSender
{
    // Large enough that the per-operation cost vanishes against the copy; small enough that progress is reported often
    // on a slow connection.
    private const int SegmentSize = 1024 * 1024;

    public async ValueTask SendAsync(SafeFileHandle file, long offset, long count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        // SendPacketsElement needs a FileStream opened for asynchronous I/O, and one over the entry's own handle would
        // close it. Opening /proc/self/fd/N gives a second descriptor of the very same file (even if the entry was
        // replaced or removed since: the inode is what the handle holds), so the head already sent stays true.
        var added = false;
        file.DangerousAddRef(ref added);
        try
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"/proc/self/fd/{file.DangerousGetHandle()}");
            await using var view = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous);
            using var operation = new SendOperation();
            // Canceling (idle timeout, client stopping) shuts the connection down: a pending sendfile cannot be canceled
            // otherwise, and the connection cannot carry anything after a partial body anyway.
            await using var registration = cancellationToken.UnsafeRegister(static s => ShutdownQuietly((Socket)s!), socket);
            for (long done = 0; done < count;)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var segment = (int)Math.Min(SegmentSize, count - done);
                await operation.SendAsync(socket, new SendPacketsElement(view, offset + done, segment, endOfPacket: false));
                cancellationToken.ThrowIfCancellationRequested();
                done += segment;
                onProgress?.Invoke();
            }
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    private static void ShutdownQuietly(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>One reusable <see cref="SocketAsyncEventArgs"/> awaited as a task.</summary>
    private sealed class SendOperation : IDisposable
    {
        private readonly SocketAsyncEventArgs _args = new();
        private TaskCompletionSource? _pending;

        public SendOperation() => _args.Completed += (_, args) => Complete(args, _pending!);

        public Task SendAsync(Socket socket, SendPacketsElement element)
        {
            var pending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending = pending;
            _args.SendPacketsElements = [element];
            if (!socket.SendPacketsAsync(_args))
            {
                Complete(_args, pending);
            }
            return pending.Task;
        }

        public void Dispose() => _args.Dispose();

        private static void Complete(SocketAsyncEventArgs args, TaskCompletionSource pending)
        {
            if (args.SocketError == SocketError.Success)
            {
                pending.TrySetResult();
            }
            else
            {
                pending.TrySetException(new IOException("The browser connection is gone: " + args.SocketError, new SocketException((int)args.SocketError)));
            }
        }
    }
}
