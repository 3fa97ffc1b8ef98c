namespace Ouinet.Injector;

/// <summary>
/// Passes reads and writes through to an inner stream and reports each one that moved bytes, so that an
/// <see cref="IdleTimeout"/> can restart its period on progress, whichever code is doing the I/O; and, when asked, how
/// many bytes each moved (traffic counters).
/// </summary>
public sealed class ProgressStream(Stream inner, Action<int>? onRead = null, Action<int>? onWrite = null) : Stream
{
    public Stream Inner { get; } = inner;

    /// <summary>Called after each read or write that moved bytes; swapped per request.</summary>
    public Action? OnProgress { get; set; }

    public override bool CanRead => Inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => Inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await Inner.ReadAsync(buffer, cancellationToken);
        Read(n);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = Inner.Read(buffer, offset, count);
        Read(n);
        return n;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await Inner.WriteAsync(buffer, cancellationToken);
        Wrote(buffer.Length);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        Inner.Write(buffer, offset, count);
        Wrote(count);
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Inner.FlushAsync(cancellationToken);

    public override void Flush() => Inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await Inner.DisposeAsync();
        await base.DisposeAsync();
    }

    private void Read(int n)
    {
        if (n > 0)
        {
            onRead?.Invoke(n);
            OnProgress?.Invoke();
        }
    }

    private void Wrote(int n)
    {
        onWrite?.Invoke(n);
        OnProgress?.Invoke();
    }
}
