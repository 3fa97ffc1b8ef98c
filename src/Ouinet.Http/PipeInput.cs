using System.Buffers;
using System.IO.Pipelines;

namespace Ouinet.Http;

/// <summary>
/// Holds the current <see cref="ReadResult"/> of a <see cref="PipeReader"/> across calls, so that parts of a body
/// can be handed out as slices of the pipe's own buffer, and advances the pipe only when more bytes are needed.
/// </summary>
internal sealed class PipeInput(PipeReader reader)
{
    private ReadOnlySequence<byte> _buffer;

    public PipeReader Reader { get; } = reader;

    /// <summary>A read result is outstanding: <see cref="Buffer"/> is valid and the pipe not yet advanced.</summary>
    public bool IsHeld { get; private set; }

    /// <summary>The writer side is done: no bytes beyond <see cref="Buffer"/> will come.</summary>
    public bool IsCompleted { get; private set; }

    /// <summary>The unconsumed bytes; empty when nothing is held.</summary>
    public ReadOnlySequence<byte> Buffer => IsHeld ? _buffer : default;

    /// <summary>
    /// Gets more bytes: when something is held, reports it all examined and waits for bytes beyond it;
    /// otherwise returns what the pipe already has (waiting only when it has nothing).
    /// </summary>
    public async ValueTask ReadMoreAsync(CancellationToken cancellationToken)
    {
        if (IsHeld)
        {
            Reader.AdvanceTo(_buffer.Start, _buffer.End);
            IsHeld = false;
        }
        var result = await Reader.ReadAsync(cancellationToken);
        _buffer = result.Buffer;
        IsCompleted = result.IsCompleted;
        IsHeld = true;
        if (result.IsCanceled)
        {
            throw new OperationCanceledException("The pending read was canceled (PipeReader.CancelPendingRead).");
        }
    }

    public void Consume(long count) => _buffer = _buffer.Slice(count);

    /// <summary>Hands the pipe back: consumed bytes are released, the rest stays readable by the next ReadAsync.</summary>
    public void Release()
    {
        if (IsHeld)
        {
            Reader.AdvanceTo(_buffer.Start);
            IsHeld = false;
        }
    }
}
