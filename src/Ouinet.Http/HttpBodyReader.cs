using System.Buffers;

namespace Ouinet.Http;

/// <summary>
/// Pulls one message body as <see cref="HttpBodyPart"/>s: for chunked bodies a ChunkHeader per chunk, then its
/// bytes as Data parts, and an End with the last-chunk extensions and trailers; otherwise Data parts and End.
/// Data parts are slices of the pipe's buffer, streamed as they arrive. A body cut short by the end of the
/// stream throws <see cref="HttpParseError.UnexpectedEndOfStream"/>, distinct from malformed framing.
/// </summary>
public sealed class HttpBodyReader
{
    private enum State
    {
        ChunkLine,
        ChunkData,
        ChunkDataEnd,
        Trailers,
        Data,
        Done,
    }

    private readonly HttpMessageReader _owner;
    private readonly PipeInput _input;
    private readonly bool _fromServer;
    private readonly long? _maxBody;
    private State _state;
    private long _remaining;
    private SectionScan _trailerScan;
    private IReadOnlyList<ChunkExtension> _lastChunkExtensions = [];

    internal HttpBodyReader(HttpMessageReader owner, PipeInput input, BodyFraming framing, long? contentLength, bool fromServer)
    {
        _owner = owner;
        _input = input;
        _fromServer = fromServer;
        _maxBody = owner.Limits.MaxBodyBytes;
        Framing = framing;
        ContentLength = contentLength;
        _remaining = contentLength ?? 0;
        _state = framing switch
        {
            BodyFraming.Chunked => State.ChunkLine,
            BodyFraming.ContentLength when contentLength > 0 => State.Data,
            BodyFraming.UntilClose => State.Data,
            _ => State.Done,
        };
    }

    public BodyFraming Framing { get; }

    /// <summary>The declared length (ContentLength framing); null otherwise.</summary>
    public long? ContentLength { get; }

    /// <summary>End has been reached; the message reader is positioned at the next message.</summary>
    public bool IsCompleted => _state == State.Done;

    /// <summary>Body bytes delivered so far (chunk framing excluded).</summary>
    public long BytesRead { get; private set; }

    /// <summary>The last-chunk line's extensions, once End is reached (empty before, and for unchunked bodies).</summary>
    public IReadOnlyList<ChunkExtension> LastChunkExtensions => IsCompleted ? _lastChunkExtensions : [];

    /// <summary>The trailer section, once End of a chunked body is reached; null otherwise.</summary>
    public HttpFields? Trailers { get; private set; }

    /// <summary>
    /// The next part. The previous part's <see cref="HttpBodyPart.Data"/> is invalid from this call on.
    /// After End, keeps returning End.
    /// </summary>
    public ValueTask<HttpBodyPart> ReadAsync(CancellationToken cancellationToken = default) => ReadAsync(long.MaxValue, cancellationToken);

    /// <summary>Reads and discards the rest of the body, leaving the connection at the next message.</summary>
    public async ValueTask DrainAsync(CancellationToken cancellationToken = default)
    {
        while ((await ReadAsync(cancellationToken)).Kind != HttpBodyPartKind.End)
        {
        }
    }

    /// <summary>
    /// A read-only stream of the body's data bytes. Once it returns 0, <see cref="Trailers"/> and
    /// <see cref="LastChunkExtensions"/> hold what the End part carried.
    /// </summary>
    public Stream AsStream() => new HttpBodyStream(this);

    /// <summary>Like <see cref="ReadAsync(CancellationToken)"/>, with Data parts no longer than <paramref name="maxData"/>.</summary>
    internal async ValueTask<HttpBodyPart> ReadAsync(long maxData, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxData, 1);
        if (!IsCompleted)
        {
            _owner.ThrowIfDetached();
        }
        while (true)
        {
            if (TryStep(maxData, out var part))
            {
                if (part.Kind == HttpBodyPartKind.End)
                {
                    _owner.OnBodyCompleted(this);
                }
                return part;
            }
            if (_input.IsHeld && _input.IsCompleted)
            {
                throw HttpErrors.Truncated(_fromServer, $"Connection closed after {BytesRead} body bytes, before the body's end.");
            }
            await _input.ReadMoreAsync(cancellationToken);
        }
    }

    /// <summary>Produces a part from buffered bytes, or returns false when more are needed.</summary>
    private bool TryStep(long maxData, out HttpBodyPart part)
    {
        while (true)
        {
            var buffer = _input.Buffer;
            switch (_state)
            {
                case State.Done:
                    part = HttpBodyPart.End(_lastChunkExtensions, Trailers);
                    return true;

                case State.Data when Framing == BodyFraming.UntilClose:
                    if (!buffer.IsEmpty)
                    {
                        part = TakeData(buffer, Math.Min(buffer.Length, maxData));
                        return true;
                    }
                    if (_input.IsHeld && _input.IsCompleted)
                    {
                        _state = State.Done;
                        continue;
                    }
                    part = default;
                    return false;

                case State.Data:
                case State.ChunkData:
                    if (_remaining == 0)
                    {
                        _state = _state == State.Data ? State.Done : State.ChunkDataEnd;
                        continue;
                    }
                    if (buffer.IsEmpty)
                    {
                        part = default;
                        return false;
                    }
                    var n = Math.Min(Math.Min(buffer.Length, _remaining), maxData);
                    _remaining -= n;
                    part = TakeData(buffer, n);
                    return true;

                case State.ChunkDataEnd:
                    {
                        var reader = new SequenceReader<byte>(buffer);
                        if (!ChunkedParser.TryReadChunkDataEnd(ref reader, _fromServer))
                        {
                            part = default;
                            return false;
                        }
                        _input.Consume(reader.Consumed);
                        _state = State.ChunkLine;
                        continue;
                    }

                case State.ChunkLine:
                    {
                        var reader = new SequenceReader<byte>(buffer);
                        if (!ChunkedParser.TryReadChunkHeader(ref reader, _owner.Limits, _fromServer, out var size, out var extensions))
                        {
                            part = default;
                            return false;
                        }
                        _input.Consume(reader.Consumed);
                        if (size == 0)
                        {
                            _lastChunkExtensions = extensions;
                            _state = State.Trailers;
                            continue;
                        }
                        if (_maxBody is { } max && size > max - BytesRead)
                        {
                            throw HttpErrors.BodyTooLarge(_fromServer, $"Chunked body over the limit of {max} bytes.");
                        }
                        _remaining = size;
                        _state = State.ChunkData;
                        part = HttpBodyPart.ChunkHeader(size, extensions);
                        return true;
                    }

                case State.Trailers:
                    {
                        var reader = new SequenceReader<byte>(buffer);
                        if (!ChunkedParser.TryReadTrailers(ref reader, _owner.Limits, _fromServer, ref _trailerScan, out var trailers))
                        {
                            part = default;
                            return false;
                        }
                        _input.Consume(reader.Consumed);
                        Trailers = trailers;
                        _state = State.Done;
                        continue;
                    }

                default:
                    throw new InvalidOperationException($"Unexpected body reader state {_state}.");
            }
        }
    }

    private HttpBodyPart TakeData(ReadOnlySequence<byte> buffer, long n)
    {
        if (_maxBody is { } max && n > max - BytesRead)
        {
            throw HttpErrors.BodyTooLarge(_fromServer, $"Body over the limit of {max} bytes.");
        }
        BytesRead += n;
        _input.Consume(n);
        return HttpBodyPart.DataPart(buffer.Slice(0, n));
    }
}
