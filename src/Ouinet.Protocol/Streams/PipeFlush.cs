using System.IO.Pipelines;

namespace Ouinet.Protocol.Streams;

/// <summary>Flushes a response pipe, turning a canceled flush or a gone reader into exceptions.</summary>
internal static class PipeFlush
{
    public static async ValueTask FlushAsync(PipeWriter writer, CancellationToken cancellationToken)
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
