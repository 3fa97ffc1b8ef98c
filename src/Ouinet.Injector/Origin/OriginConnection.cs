using System.IO.Pipelines;
using System.Net.Sockets;
using Ouinet.Http;

namespace Ouinet.Injector.Origin;

/// <summary>Which pooled connections may serve a request.</summary>
internal readonly record struct OriginKey(bool Tls, string Host, int Port);

/// <summary>One keep-alive connection to an origin: the socket, the (TLS) stream and the HTTP reader and writer over it.</summary>
internal sealed class OriginConnection : IAsyncDisposable
{
    public OriginConnection(OriginKey key, Socket socket, Stream transport, HttpLimits limits)
    {
        Key = key;
        Socket = socket;
        Progress = new ProgressStream(transport);
        Input = PipeReader.Create(Progress, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, leaveOpen: true));
        Reader = new HttpMessageReader(Input, limits, leaveOpen: true);
        Writer = PipeWriter.Create(Progress, new StreamPipeWriterOptions(minimumBufferSize: 16 * 1024, leaveOpen: true));
    }

    public OriginKey Key { get; }

    public Socket Socket { get; }

    public ProgressStream Progress { get; }

    public PipeReader Input { get; }

    public HttpMessageReader Reader { get; }

    public PipeWriter Writer { get; }

    /// <summary>Has served a response before (so it may have been closed by the origin while idle).</summary>
    public bool IsReused { get; set; }

    public long IdleSince { get; set; }

    /// <summary>Still connected with nothing unread: an idle origin connection that has data or EOF is unusable.</summary>
    public bool IsIdleAndOpen()
    {
        try
        {
            return Socket.Connected && !Socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Reader.DisposeAsync();
        await Input.CompleteAsync();
        await Writer.CompleteAsync();
        try
        {
            await Progress.DisposeAsync();
        }
        catch (IOException)
        {
        }
        Socket.Dispose();
    }
}
