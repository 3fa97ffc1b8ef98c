namespace Ouinet.Testing;

/// <summary>
/// A read-only stream over fixed bytes that hands out at most a few bytes per read, so that a pipe over it
/// sees the input arrive in small pieces (one byte at a time with <c>maxPerRead: 1</c>). Ends where the data
/// ends, like a peer closing the connection.
/// </summary>
public sealed class TrickleStream(ReadOnlyMemory<byte> data, int maxPerRead = 1) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => data.Length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    /// <summary>How many reads returned data; shows that a consumer did not wait for everything.</summary>
    public int Reads { get; private set; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = Math.Min(Math.Min(buffer.Length, maxPerRead), data.Length - _position);
        data.Span.Slice(_position, n).CopyTo(buffer);
        _position += n;
        Reads += n > 0 ? 1 : 0;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
