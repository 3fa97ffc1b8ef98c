using System.Buffers;

namespace Ouinet.Http;

/// <summary>The data bytes of an <see cref="HttpBodyReader"/> as a read-only, forward-only stream.</summary>
internal sealed class HttpBodyStream(HttpBodyReader body) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => body.BytesRead;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }
        while (true)
        {
            var part = await body.ReadAsync(buffer.Length, cancellationToken);
            switch (part.Kind)
            {
                case HttpBodyPartKind.Data:
                    part.Data.CopyTo(buffer.Span);
                    return (int)part.Data.Length;
                case HttpBodyPartKind.End:
                    return 0;
                default:
                    continue;
            }
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Synchronous reads block on the pipe; offered for APIs that only read synchronously.
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>Copies straight from the pipe's buffer, with no intermediate buffer.</summary>
    public override async Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        while (true)
        {
            var part = await body.ReadAsync(cancellationToken);
            if (part.Kind == HttpBodyPartKind.End)
            {
                return;
            }
            foreach (var segment in part.Data)
            {
                await destination.WriteAsync(segment, cancellationToken);
            }
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
