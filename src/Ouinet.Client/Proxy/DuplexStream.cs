namespace Ouinet.Client.Proxy;

/// <summary>
/// Reads from one stream and writes to another: after a CONNECT, the TLS session must start with the bytes the HTTP
/// reader already buffered (read side: the detached pipe) while writes go straight to the connection.
/// </summary>
internal sealed class DuplexStream(Stream readFrom, Stream writeTo) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => readFrom.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => readFrom.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => readFrom.Read(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => writeTo.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => writeTo.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => writeTo.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => writeTo.FlushAsync(cancellationToken);

    public override void Flush() => writeTo.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
