using System.Buffers;
using System.IO.Pipelines;

namespace Ouinet.Http;

/// <summary>Writes a whole body from a stream, framed by Content-Length or chunked, flushing as it goes.</summary>
public static class HttpBodyWriter
{
    /// <summary>
    /// Copies exactly <paramref name="contentLength"/> bytes from <paramref name="source"/>, reading straight into
    /// the pipe's memory. Throws <see cref="EndOfStreamException"/> when the source has fewer.
    /// </summary>
    public static async ValueTask WriteContentLengthBodyAsync(PipeWriter writer, Stream source, long contentLength, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(contentLength);
        var left = contentLength;
        while (left > 0)
        {
            var memory = writer.GetMemory();
            if (memory.Length > left)
            {
                memory = memory[..(int)left];
            }
            var n = await source.ReadAsync(memory, cancellationToken);
            if (n == 0)
            {
                throw new EndOfStreamException($"Body source ended {left} bytes short of Content-Length {contentLength}.");
            }
            writer.Advance(n);
            left -= n;
            await FlushAsync(writer, cancellationToken);
        }
    }

    /// <summary>
    /// Copies <paramref name="source"/> as chunks of <paramref name="chunkSize"/> bytes (the last one shorter),
    /// then the last chunk with <paramref name="trailers"/>.
    /// </summary>
    public static async ValueTask WriteChunkedBodyAsync(
        PipeWriter writer, Stream source, int chunkSize = 16 * 1024, HttpFields? trailers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        var buffer = ArrayPool<byte>.Shared.Rent(chunkSize);
        try
        {
            while (true)
            {
                // Fill whole chunks so that the chunking does not depend on how the source happens to deliver.
                var n = await source.ReadAtLeastAsync(buffer.AsMemory(0, chunkSize), chunkSize, throwOnEndOfStream: false, cancellationToken);
                if (n == 0)
                {
                    break;
                }
                HttpWriter.WriteChunkHeader(writer, n);
                writer.Write(buffer.AsSpan(0, n));
                HttpWriter.WriteChunkEnd(writer);
                await FlushAsync(writer, cancellationToken);
                if (n < chunkSize)
                {
                    break;
                }
            }
            HttpWriter.WriteLastChunk(writer, null, trailers);
            await FlushAsync(writer, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async ValueTask FlushAsync(PipeWriter writer, CancellationToken cancellationToken)
    {
        var result = await writer.FlushAsync(cancellationToken);
        if (result.IsCanceled)
        {
            throw new OperationCanceledException("The flush was canceled (PipeWriter.CancelPendingFlush).");
        }
        if (result.IsCompleted)
        {
            throw new IOException("The reading side of the pipe is gone.");
        }
    }
}
