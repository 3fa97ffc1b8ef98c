using System.Buffers;
using System.IO.Pipelines;

namespace Ouinet.Http;

/// <summary>
/// Reads HTTP/1.x messages one after another (keep-alive) from a <see cref="PipeReader"/>: a head, then its body
/// through an <see cref="HttpBodyReader"/>, then the next head. Not thread-safe; one message at a time.
/// Errors are <see cref="HttpParseException"/>s; after one the connection is unusable and should be closed.
/// </summary>
public sealed class HttpMessageReader : IAsyncDisposable
{
    private readonly PipeInput _input;
    private readonly bool _leaveOpen;
    private HttpBodyReader? _body;
    private bool _bodyExpected;
    private bool _interim;
    private bool _detached;

    /// <param name="input">The connection's input.</param>
    /// <param name="limits">Bounds on heads, chunk lines, trailers and bodies; <see cref="HttpLimits.Default"/> when null.</param>
    /// <param name="leaveOpen">When false, disposing completes <paramref name="input"/>.</param>
    public HttpMessageReader(PipeReader input, HttpLimits? limits = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        _input = new PipeInput(input);
        Limits = limits ?? HttpLimits.Default;
        _leaveOpen = leaveOpen;
    }

    public HttpLimits Limits { get; }

    // Reads of 16-64 KiB: a Ouinet block is 64 KiB, and the default 4 KiB reads cost a part per 4 KiB.
    private const int ReadBufferSize = 64 * 1024;

    /// <summary>A reader over <paramref name="stream"/> (through <see cref="PipeReader.Create(Stream, StreamPipeReaderOptions?)"/>).</summary>
    public static HttpMessageReader Create(Stream stream, HttpLimits? limits = null, bool leaveOpen = false) =>
        new(PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: ReadBufferSize, minimumReadSize: ReadBufferSize / 4, leaveOpen: leaveOpen)), limits);

    /// <summary>
    /// The next request head, or null when the stream ended cleanly before any byte of a new request
    /// (empty lines between requests do not count). A head cut short throws UnexpectedEndOfStream (400).
    /// </summary>
    public async ValueTask<HttpRequestHead?> ReadRequestHeadAsync(CancellationToken cancellationToken = default)
    {
        CheckReadyForHead();
        var scan = default(SectionScan);
        while (true)
        {
            if (_input.IsHeld)
            {
                var buffer = _input.Buffer;
                var reader = new SequenceReader<byte>(buffer);
                if (HttpHeadParser.TryParseRequestHead(ref reader, Limits, ref scan, out var head))
                {
                    _input.Consume(reader.Consumed);
                    _bodyExpected = true;
                    _interim = false;
                    return head;
                }
                if (_input.IsCompleted)
                {
                    if (FieldSectionScanner.IsOnlyEmptyLines(buffer, scan))
                    {
                        _input.Consume(buffer.Length);
                        return null;
                    }
                    throw HttpErrors.Truncated(false, "Connection closed in the middle of a request head.");
                }
            }
            await _input.ReadMoreAsync(cancellationToken);
        }
    }

    /// <summary>
    /// The next response head. Interim (1xx) responses are returned like any other; read the next head after them
    /// (their body reader, if asked for, is empty). A stream that ends before or inside the head throws UnexpectedEndOfStream (502).
    /// </summary>
    public async ValueTask<HttpResponseHead> ReadResponseHeadAsync(CancellationToken cancellationToken = default)
    {
        CheckReadyForHead();
        var scan = default(SectionScan);
        while (true)
        {
            if (_input.IsHeld)
            {
                var reader = new SequenceReader<byte>(_input.Buffer);
                if (HttpHeadParser.TryParseResponseHead(ref reader, Limits, ref scan, out var head))
                {
                    _input.Consume(reader.Consumed);
                    _bodyExpected = true;
                    _interim = head.StatusCode < 200;
                    return head;
                }
                if (_input.IsCompleted)
                {
                    throw HttpErrors.Truncated(true, _input.Buffer.IsEmpty
                        ? "Connection closed before a response head."
                        : "Connection closed in the middle of a response head.");
                }
            }
            await _input.ReadMoreAsync(cancellationToken);
        }
    }

    /// <summary>
    /// The body of the request whose head was just read. Throws (before reading anything) on ambiguous framing
    /// (400), unsupported transfer codings (400/501) or a Content-Length over <see cref="HttpLimits.MaxBodyBytes"/> (413).
    /// </summary>
    public HttpBodyReader ReadRequestBody(HttpRequestHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        CheckReadyForBody();
        var framing = MessageFraming.ForRequest(head, out var length);
        return StartBody(framing, length, fromServer: false);
    }

    /// <summary>The body of the response whose head was just read, to a request with <paramref name="requestMethod"/>.</summary>
    public HttpBodyReader ReadResponseBody(HttpResponseHead head, string requestMethod)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(requestMethod);
        CheckReadyForBody();
        var framing = MessageFraming.ForResponse(head, requestMethod, out var length);
        return StartBody(framing, length, fromServer: true);
    }

    /// <summary>
    /// Stops reading HTTP and gives the connection's input back, positioned right after the last message read
    /// (bytes already buffered included), e.g. to tunnel after CONNECT or a 101 response. The caller then owns
    /// the <see cref="PipeReader"/>; this reader must not be used again.
    /// </summary>
    public PipeReader DetachInput()
    {
        ObjectDisposedException.ThrowIf(_detached, this);
        if (_body is { IsCompleted: false })
        {
            throw new InvalidOperationException("A body is still being read.");
        }
        _input.Release();
        _detached = true;
        return _input.Reader;
    }

    public async ValueTask DisposeAsync()
    {
        if (_detached)
        {
            return;
        }
        _detached = true;
        _input.Release();
        if (!_leaveOpen)
        {
            await _input.Reader.CompleteAsync();
        }
    }

    internal void ThrowIfDetached() => ObjectDisposedException.ThrowIf(_detached, this);

    /// <summary>Called by the body reader when it reached End.</summary>
    internal void OnBodyCompleted(HttpBodyReader body)
    {
        if (ReferenceEquals(_body, body))
        {
            _body = null;
        }
    }

    private HttpBodyReader StartBody(BodyFraming framing, long? length, bool fromServer)
    {
        _bodyExpected = false;
        if (length is { } n && Limits.MaxBodyBytes is { } max && n > max)
        {
            throw HttpErrors.BodyTooLarge(fromServer, $"Content-Length {n} is over the limit of {max} bytes.");
        }
        var body = new HttpBodyReader(this, _input, framing, length, fromServer);
        _body = body.IsCompleted ? null : body;
        return body;
    }

    private void CheckReadyForHead()
    {
        ObjectDisposedException.ThrowIf(_detached, this);
        if (_body is not null || (_bodyExpected && !_interim))
        {
            // Reading on would take body bytes for a head: the desync a proxy must never make.
            throw new InvalidOperationException("Read the previous message's body to its end before the next head.");
        }
    }

    private void CheckReadyForBody()
    {
        ObjectDisposedException.ThrowIf(_detached, this);
        if (!_bodyExpected)
        {
            throw new InvalidOperationException("No head is waiting for its body to be read.");
        }
    }
}
