using System.Buffers;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using Ouinet.Http;
using Ouinet.Protocol.Headers;
using Ouinet.Protocol.Keys;

namespace Ouinet.Protocol.Streams;

/// <summary>
/// Reads a signed response (an injector's or a peer's) and hands out only verified body bytes, pulling the body as
/// the caller asks. Accepts the C++ form and the spec form (Sig0 or not, quoted or bare <c>ouisig</c>, any field,
/// trailer and chunk layout with signatures at block boundaries).
/// <list type="bullet">
/// <item><see cref="OpenAsync"/> verifies the head before any body byte is read.</item>
/// <item>Signature streams and 206 ranges: <see cref="ReadBlockAsync"/> buffers one block (at most the block size,
/// itself at most 1 MiB) and returns it only once the signature on the chunk line after it verified. The last block
/// is returned only after Sig1, the data size and the digest verified too.</item>
/// <item>Complete-signature-only responses cannot be checked before their end: <see cref="OpenAsync"/> spools the body
/// to a temporary file and verifies it whole, then <see cref="ReadBlockAsync"/> reads it back (or, with
/// <see cref="SignedResponseOptions.AllowCompleteOnly"/> false, refuses them with <c>E_CPP_FORM</c>).</item>
/// </list>
/// Any failure is an <see cref="OuinetVerificationException"/>; the reader is dead after one (every later read throws
/// it again). A stream cut short is <c>E_TRUNCATED</c>, told apart from forgery; other transport errors propagate.
/// </summary>
public sealed class SignedResponseReader : IDisposable
{
    private const int SpoolReadSize = 64 * 1024;

    private readonly HttpBodyReader _body;
    private readonly InjectorPublicKey _trustedKey;
    private readonly SignedResponseOptions _options;
    private readonly BlockChainVerifier? _blocks;
    private readonly IncrementalHash _digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private VerifiedHead _verified;
    private BodySpool? _spool;
    private byte[]? _spoolBuffer;
    private long _received;
    private long _delivered;
    private bool _ended;
    private bool _disposed;
    private ExceptionDispatchInfo? _failure;

    private SignedResponseReader(VerifiedHead verified, HttpBodyReader body, InjectorPublicKey trustedKey, SignedResponseOptions options)
    {
        _verified = verified;
        _body = body;
        _trustedKey = trustedKey;
        _options = options;
        if (verified.Kind != SignedResponseKind.Complete)
        {
            _blocks = new BlockChainVerifier(trustedKey, verified.Injection!.Id, verified.BlockSignatures!.BlockSize, verified.Range, _digest);
            Head = EntryHeads.Build(verified.Received, null, verified.Sig0, verified.HeadSig1,
                keepBlockSignatures: true, keepRangeFields: verified.Kind == SignedResponseKind.Range);
            if (verified.Kind == SignedResponseKind.Range)
            {
                DataSize = verified.Range!.Value.DataSize;
            }
        }
        else
        {
            Head = verified.Received;  // replaced by the verified head once spooled
        }
    }

    /// <summary>Which form the response has.</summary>
    public SignedResponseKind Kind => _verified.Kind;

    /// <summary>
    /// The verified head: the received status and the fields a verified signature covers, the verified signature
    /// fields, <c>X-Ouinet-BSigs</c>, and for a 206 <c>X-Ouinet-HTTP-Status</c> and <c>Content-Range</c>. Framing and
    /// anything unsigned (e.g. a peer's <c>Set-Cookie</c>) are gone.
    /// </summary>
    public HttpResponseHead Head { get; private set; }

    /// <summary>The status the signatures cover (a 206's <c>X-Ouinet-HTTP-Status</c>).</summary>
    public int SignedStatus => _verified.SignedStatus;

    /// <summary>The verified <c>X-Ouinet-URI</c>.</summary>
    public string Uri => _verified.Uri!;

    /// <summary>The verified <c>X-Ouinet-Injection</c>.</summary>
    public InjectionHeader Injection => _verified.Injection!;

    /// <summary>The block size of a signature stream; null for a complete-signature-only response.</summary>
    public int? BlockSize => _verified.BlockSignatures?.BlockSize;

    /// <summary>The verified range of a 206.</summary>
    public BlockRange? Range => _verified.Range;

    /// <summary>The whole body's length: known from the head for a 206, otherwise once the end verified.</summary>
    public long? DataSize { get; private set; }

    /// <summary>Blocks whose signature verified so far (0 for a complete-signature-only response).</summary>
    public long BlockCount => _blocks?.BlockCount ?? 0;

    /// <summary>Whether the whole response verified; <see cref="ReadBlockAsync"/> may still have a block to return.</summary>
    public bool IsVerified => _ended;

    /// <summary>
    /// After the end of a whole entry: the head to store, the head fields and trailer merged, unsigned fields dropped,
    /// Sig0 dropped when Sig1 supersedes it (C2). Null before that, and for a 206.
    /// </summary>
    public HttpResponseHead? StoredHead { get; private set; }

    /// <summary>
    /// Verifies <paramref name="head"/> (just read) and prepares to read <paramref name="body"/>. For a
    /// complete-signature-only response the whole body is read, spooled and verified here.
    /// </summary>
    public static async ValueTask<SignedResponseReader> OpenAsync(
        HttpResponseHead head,
        HttpBodyReader body,
        InjectorPublicKey trustedKey,
        SignedResponseOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(trustedKey);
        options ??= new SignedResponseOptions();
        var verified = HeadInspector.Inspect(head, body.Framing, trustedKey, options);
        var reader = new SignedResponseReader(verified, body, trustedKey, options);
        if (verified.Kind == SignedResponseKind.Complete)
        {
            try
            {
                await reader.SpoolAsync(cancellationToken);
            }
            catch
            {
                reader.Dispose();
                throw;
            }
        }
        return reader;
    }

    /// <summary>
    /// The next verified block, or null once the response has been read and verified to its end. The data is valid
    /// until the next call. Never returns bytes whose signature did not verify.
    /// </summary>
    public async ValueTask<VerifiedBlock?> ReadBlockAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _failure?.Throw();
        try
        {
            return _spool is not null ? await ReadSpooledAsync(cancellationToken) : await ReadStreamedAsync(cancellationToken);
        }
        catch (OuinetVerificationException e)
        {
            _failure = ExceptionDispatchInfo.Capture(e);
            throw;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _blocks?.Dispose();
        _spool?.Dispose();
        _digest.Dispose();
        if (_spoolBuffer is { } buffer)
        {
            _spoolBuffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async ValueTask<VerifiedBlock?> ReadStreamedAsync(CancellationToken cancellationToken)
    {
        var blocks = _blocks!;
        blocks.Release();
        if (_ended)
        {
            return null;
        }
        while (true)
        {
            var part = await ReadPartAsync(cancellationToken);
            switch (part.Kind)
            {
                case HttpBodyPartKind.ChunkHeader:
                    if (blocks.OnChunkLine(part.Extensions, part.ChunkSize, isLast: false) is { } block)
                    {
                        return new VerifiedBlock(block.Offset, blocks.Current, block);
                    }
                    break;
                case HttpBodyPartKind.Data:
                    AddStreamedData(part.Data);
                    break;
                default:
                    var last = blocks.OnChunkLine(part.Extensions, 0, isLast: true);
                    Finish(part.Trailers);
                    _ended = true;
                    return last is null ? null : new VerifiedBlock(last.Offset, blocks.Current, last);
            }
        }
    }

    private void AddStreamedData(ReadOnlySequence<byte> data)
    {
        if (Range is { } range && _received + data.Length > range.Length)
        {
            throw new OuinetVerificationException(OuinetVerificationError.Range, $"More data than Content-Range {range.ContentRange} announces.");
        }
        _blocks!.Append(data); // the block verifier digests each block as it verifies it
        _received += data.Length;
    }

    /// <summary>The checks after the last block: a range's length, or a whole entry's Sig1, data size and digest.</summary>
    private void Finish(HttpFields? trailers)
    {
        var digest = DigestHeader.FromSha256(_digest.GetHashAndReset());
        if (Range is { } range)
        {
            if (_received != range.Length)
            {
                throw new OuinetVerificationException(OuinetVerificationError.Range, $"{_received} bytes for Content-Range {range.ContentRange}.");
            }
            if (range.IsWholeBody)
            {
                EntryCompletion.CheckDigest(_verified.Received.Fields, digest);
            }
            return;
        }
        var sig1 = EntryCompletion.Verify(_verified.Received, trailers, SignedStatus, _trustedKey, _received, digest);
        DataSize = _received;
        StoredHead = EntryHeads.Build(_verified.Received, trailers, _verified.Sig0, sig1, keepBlockSignatures: _blocks is not null, keepRangeFields: false);
    }

    /// <summary>Reads the whole complete-signature-only body into the spool, then verifies it.</summary>
    private async ValueTask SpoolAsync(CancellationToken cancellationToken)
    {
        var max = _options.MaxSpoolBytes;
        if (_body.ContentLength > max || (DataSizeHeader.TryParse(_verified.Received.Fields.Get(OuinetHeaders.DataSize), out var announced) && announced > max))
        {
            throw new OuinetVerificationException(OuinetVerificationError.TooLarge, $"The body is announced larger than the {max}-byte spool limit.");
        }
        _spool = BodySpool.Create(_options.SpoolDirectory);
        while (true)
        {
            var part = await ReadPartAsync(cancellationToken);
            if (part.Kind == HttpBodyPartKind.Data)
            {
                if (_received + part.Data.Length > max)
                {
                    throw new OuinetVerificationException(OuinetVerificationError.TooLarge, $"The body is over the {max}-byte spool limit.");
                }
                foreach (var segment in part.Data)
                {
                    _digest.AppendData(segment.Span);
                }
                await _spool.WriteAsync(part.Data, cancellationToken);
                _received += part.Data.Length;
            }
            else if (part.Kind == HttpBodyPartKind.End)
            {
                VerifySpooled(part.Trailers);
                await _spool.RewindAsync(cancellationToken);
                return;
            }
        }
    }

    private void VerifySpooled(HttpFields? trailers)
    {
        var digest = DigestHeader.FromSha256(_digest.GetHashAndReset());
        var sig1 = EntryCompletion.Verify(_verified.Received, trailers, SignedStatus, _trustedKey, _received, digest);
        if (!_verified.IsHeadVerified)
        {
            // Only the trailer's Sig1 vouches for the URI and injection.
            var merged = _verified.Received.Fields.Clone();
            foreach (var field in trailers ?? [])
            {
                merged.Add(field.Name, field.Value);
            }
            var (uri, injection) = HeadInspector.Identity(merged, _options);
            _verified = _verified with { Uri = uri, Injection = injection };
        }
        DataSize = _received;
        StoredHead = EntryHeads.Build(_verified.Received, trailers, _verified.Sig0, sig1, keepBlockSignatures: false, keepRangeFields: false);
        Head = StoredHead;
        _ended = true;
    }

    private async ValueTask<VerifiedBlock?> ReadSpooledAsync(CancellationToken cancellationToken)
    {
        _spoolBuffer ??= ArrayPool<byte>.Shared.Rent(SpoolReadSize);
        var n = await _spool!.ReadAsync(_spoolBuffer.AsMemory(0, SpoolReadSize), cancellationToken);
        if (n == 0)
        {
            return null;
        }
        var offset = _delivered;
        _delivered += n;
        return new VerifiedBlock(offset, _spoolBuffer.AsMemory(0, n), null);
    }

    /// <summary>The next body part; a body cut short is <c>E_TRUNCATED</c>, bad framing <c>E_CHUNK_FORMAT</c>/<c>E_FORMAT</c>.</summary>
    private async ValueTask<HttpBodyPart> ReadPartAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _body.ReadAsync(cancellationToken);
        }
        catch (HttpParseException e)
        {
            var error = e.Error switch
            {
                HttpParseError.UnexpectedEndOfStream => OuinetVerificationError.Truncated,
                HttpParseError.InvalidChunkSize or HttpParseError.ChunkLineTooLarge or HttpParseError.InvalidChunkExtension
                    or HttpParseError.InvalidChunkData => OuinetVerificationError.ChunkFormat,
                _ => OuinetVerificationError.Format,
            };
            throw new OuinetVerificationException(error, $"After {_received} body bytes: {e.Message}", null, e);
        }
    }
}
