using System.Net;

namespace Ouinet.Utp;

/// <summary>
/// A uTP connection as a <see cref="Stream"/>: reliable, ordered bytes both ways. <see cref="CompleteWrites"/> sends
/// ST_FIN after what was written (half-close, like <c>Socket.Shutdown(Send)</c> or QuicStream.CompleteWrites); reads
/// return 0 once the peer's FIN and everything before it have arrived. Disposing completes writes and waits (up to
/// <see cref="UtpSocketOptions.CloseTimeout"/>) until the peer has acknowledged all of it; <see cref="Abort"/> resets.
/// A failed connection throws <see cref="UtpException"/> from every operation. One reader and one writer at a time.
/// </summary>
public sealed class UtpStream : Stream
{
    private readonly UtpConnection _connection;
    private readonly UtpSocket _socket;
    private int _disposed;

    internal UtpStream(UtpConnection connection, UtpSocket socket)
    {
        _connection = connection;
        _socket = socket;
    }

    public IPEndPoint RemoteEndPoint => _connection.Remote;

    public IPEndPoint LocalEndPoint => _socket.LocalEndPoint;

    /// <summary>Completes when the peer has acknowledged our FIN (all our data arrived); faults if the connection fails.</summary>
    public Task WritesClosed => _connection.WritesClosed;

    /// <summary>Completes when the peer's FIN has arrived after all its data; faults if the connection fails.</summary>
    public Task ReadsClosed => _connection.ReadsClosed;

    public override bool CanRead => _disposed == 0;

    public override bool CanWrite => _disposed == 0;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Counters: bytes each way, RTT, retransmissions, windows.</summary>
    public UtpConnectionStatistics GetStatistics() => _connection.GetStatistics();

    /// <summary>Sends ST_FIN after everything written so far; further writes throw.</summary>
    public void CompleteWrites()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        _connection.CompleteWrites();
    }

    /// <summary>Resets the connection (ST_RESET): pending and future operations fail with <see cref="UtpError.Aborted"/>.</summary>
    public void Abort() => _connection.Abort();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return _connection.ReadAsync(buffer, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var rented = new byte[buffer.Length];
        var read = ReadAsync(rented).AsTask().GetAwaiter().GetResult();
        rented.AsSpan(0, read).CopyTo(buffer);
        return read;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return _connection.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>Sends a partly filled packet now rather than coalescing it with later writes (Nagle). Does not wait for ACKs.</summary>
    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        _connection.Flush();
        return Task.CompletedTask;
    }

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _connection.CompleteReader();
            await _connection.CloseAsync().ConfigureAwait(false);
        }
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _connection.CompleteReader();
            _connection.CloseAsync().AsTask().GetAwaiter().GetResult();
        }
        base.Dispose(disposing);
    }
}
