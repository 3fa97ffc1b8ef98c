using Microsoft.Win32.SafeHandles;

namespace Ouinet.Cache.Store;

/// <summary>
/// A read-only, seekable view of a stored body, bounded by the entry's data size. Each view has its own position over
/// the entry's shared handle (reads are positional), so several can be used at once; disposing a view leaves the
/// handle to its <see cref="StoredEntry"/>.
/// </summary>
internal sealed class EntryBodyStream(SafeFileHandle? handle, long length) : Stream
{
    private long _position;
    private bool _disposed;

    public override bool CanRead => !_disposed;

    public override bool CanSeek => !_disposed;

    public override bool CanWrite => false;

    public override long Length
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return length;
        }
    }

    public override long Position
    {
        get => _position;
        set
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var n = Clamp(buffer.Length);
        if (n == 0)
        {
            return 0;
        }
        var read = RandomAccess.Read(handle!, buffer[..n], _position);
        return Advance(read);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var n = Clamp(buffer.Length);
        if (n == 0)
        {
            return 0;
        }
        var read = await RandomAccess.ReadAsync(handle!, buffer[..n], _position, cancellationToken).ConfigureAwait(false);
        return Advance(read);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        base.Dispose(disposing);
    }

    private int Clamp(int requested) => (int)Math.Min(requested, Math.Max(0, length - _position));

    private int Advance(int read)
    {
        if (read == 0)
        {
            throw new InvalidDataException($"The stored body ended at {_position}, before its {length} bytes.");
        }
        _position += read;
        return read;
    }
}
