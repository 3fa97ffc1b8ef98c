namespace Ouinet.Overlay;

/// <summary>
/// A byte stream over a flow, for users such as TLS and HTTP. FRCP keeps messages, not a byte stream, and a flow has
/// no end-of-stream (Ouroboros sends nothing on deallocation), so each message carries one leading byte: 0 = data,
/// 1 = end of stream (sent by <see cref="CompleteWritesAsync"/> or on dispose). Writes are cut into messages that
/// fit the flow. Use it over a reliable flow (<see cref="QosSpec.Data"/>). Disposing sends end of stream and returns;
/// the flow lingers in the background (<see cref="Flow.DisposeInBackground"/>) until its data is acknowledged.
/// </summary>
public sealed class FlowStream : Stream
{
    private const byte DataFrame = 0;
    private const byte EndFrame = 1;
    private readonly Flow _flow;
    private readonly bool _ownsFlow;
    private byte[]? _current;
    private int _offset;
    private bool _ended;
    private bool _writesCompleted;
    private int _disposed;

    public FlowStream(Flow flow, bool ownsFlow = true)
    {
        ArgumentNullException.ThrowIfNull(flow);
        _flow = flow;
        _ownsFlow = ownsFlow;
    }

    public Flow Flow => _flow;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (_ended || buffer.Length == 0)
            {
                return 0;
            }
            if (_current is not null && _offset < _current.Length)
            {
                var n = Math.Min(buffer.Length, _current.Length - _offset);
                _current.AsMemory(_offset, n).CopyTo(buffer);
                _offset += n;
                return n;
            }
            var message = await _flow.ReadMessageAsync(cancellationToken).ConfigureAwait(false);
            if (message.Length == 0)
            {
                continue;
            }
            if (message[0] == EndFrame)
            {
                _ended = true;
                return 0;
            }
            if (message[0] != DataFrame)
            {
                throw new IOException($"Unknown stream frame type {message[0]} on the overlay flow.");
            }
            _current = message;
            _offset = 1;
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (_writesCompleted)
        {
            throw new InvalidOperationException("Writes were completed.");
        }
        var chunk = _flow.MaxMessageSize - 1;
        var frame = new byte[Math.Min(chunk, buffer.Length) + 1];
        while (buffer.Length > 0)
        {
            var n = Math.Min(chunk, buffer.Length);
            if (frame.Length != n + 1)
            {
                frame = new byte[n + 1];
            }
            frame[0] = DataFrame;
            buffer.Span[..n].CopyTo(frame.AsSpan(1));
            await _flow.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            buffer = buffer[n..];
        }
    }

    /// <summary>Sends end-of-stream: the peer's reads return 0 once they reach it (a TCP half-close).</summary>
    public async ValueTask CompleteWritesAsync(CancellationToken cancellationToken = default)
    {
        if (!_writesCompleted)
        {
            _writesCompleted = true;
            await _flow.WriteAsync(new[] { EndFrame }, cancellationToken).ConfigureAwait(false);
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        try
        {
            await CompleteWritesAsync().ConfigureAwait(false);
        }
        catch (FlowException)
        {
            // The flow is already gone; nothing to tell the peer.
        }
        if (_ownsFlow)
        {
            // As TCP's close(): what is unacknowledged is retransmitted after we return (the node owns the linger).
            _flow.DisposeInBackground();
        }
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _disposed == 0)
        {
            DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        base.Dispose(disposing);
    }
}
