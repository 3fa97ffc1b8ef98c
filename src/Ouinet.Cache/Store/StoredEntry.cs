using Microsoft.Win32.SafeHandles;
using System.Buffers;
using System.Runtime.CompilerServices;
using Ouinet.Cache.Storage;
using Ouinet.Http;
using Ouinet.Protocol.Headers;

namespace Ouinet.Cache.Store;

/// <summary>
/// An entry opened for reading: its parsed head, how its body is cut in blocks, its <c>sigs</c> lines and an open body.
/// Everything comes from one version of the entry, even if it is replaced or removed while open. The body is read
/// positionally, so blocks and body streams can be read concurrently.
/// </summary>
public sealed class StoredEntry : IDisposable, IAsyncDisposable
{
    private readonly EntryFile? _body;
    private readonly List<SigsLine> _sigs;
    private bool _disposed;

    private StoredEntry(HttpResponseHead head, StoredHeadFields fields, List<SigsLine> sigs, EntryFile? body)
    {
        Head = head;
        Uri = fields.Uri;
        Injection = fields.Injection;
        BlockSignatures = fields.BlockSignatures;
        DataSize = fields.DataSize;
        _sigs = sigs;
        _body = body;
    }

    /// <summary>The entry's URI (<c>X-Ouinet-URI</c>).</summary>
    public string Uri { get; }

    /// <summary>
    /// The stored head as parsed from the <c>head</c> file (each open parses its own copy; clone it before changing it
    /// if the entry is shared).
    /// </summary>
    public HttpResponseHead Head { get; }

    /// <summary><c>X-Ouinet-Injection</c>: the injection id every block signature includes, and the injection time.</summary>
    public InjectionHeader Injection { get; }

    /// <summary><c>X-Ouinet-BSigs</c>.</summary>
    public BlockSignaturesHeader BlockSignatures { get; }

    /// <summary>The spec's <c>block-size</c>.</summary>
    public int BlockSize => BlockSignatures.BlockSize;

    /// <summary>The body's length (<c>X-Ouinet-Data-Size</c>); the body on disk has exactly this length.</summary>
    public long DataSize { get; }

    /// <summary>
    /// The <c>sigs</c> lines, one per block. An empty body has one (the zero-length block, C1) or none (spec form).
    /// </summary>
    public IReadOnlyList<SigsLine> Sigs => _sigs;

    /// <summary>The number of signed blocks (<see cref="Sigs"/>' count).</summary>
    public int BlockCount => _sigs.Count;

    /// <summary><c>block-signature(i-1)</c> for block <paramref name="blockIndex"/> (<c>ouipsig</c>); empty for block 0.</summary>
    public ReadOnlyMemory<byte> PreviousSignature(long blockIndex)
    {
        CheckBlock(blockIndex, nameof(blockIndex));
        return blockIndex == 0 ? ReadOnlyMemory<byte>.Empty : _sigs[(int)blockIndex - 1].Signature;
    }

    /// <summary>
    /// <c>chained-hash(i-1)</c> for block <paramref name="blockIndex"/> (<c>ouihash</c>): the last column of its
    /// <c>sigs</c> line; empty for block 0, whose column is only a NUL placeholder.
    /// </summary>
    public ReadOnlyMemory<byte> PreviousChainedHash(long blockIndex)
    {
        CheckBlock(blockIndex, nameof(blockIndex));
        return blockIndex == 0 ? ReadOnlyMemory<byte>.Empty : _sigs[(int)blockIndex].PreviousChainedHash;
    }

    /// <summary>The length of block <paramref name="blockIndex"/> (the last may be short; an empty body's block is 0).</summary>
    public int BlockLength(long blockIndex)
    {
        CheckBlock(blockIndex, nameof(blockIndex));
        return (int)Math.Min(BlockSize, DataSize - (blockIndex * BlockSize));
    }

    /// <summary>
    /// Reads blocks <paramref name="firstBlock"/> to <paramref name="lastBlock"/> (inclusive) with their <c>sigs</c>
    /// lines. One pooled buffer of a block is used for the whole enumeration: each block's data is valid until the
    /// next one is requested.
    /// </summary>
    public IAsyncEnumerable<StoredBlock> ReadBlocksAsync(long firstBlock, long lastBlock, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckBlock(firstBlock, nameof(firstBlock));
        CheckBlock(lastBlock, nameof(lastBlock));
        ArgumentOutOfRangeException.ThrowIfLessThan(lastBlock, firstBlock);
        return ReadBlocksCoreAsync(firstBlock, lastBlock, cancellationToken);
    }

    private async IAsyncEnumerable<StoredBlock> ReadBlocksCoreAsync(long firstBlock, long lastBlock, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Rented on the first MoveNextAsync, returned when the enumeration ends or is disposed.
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(BlockSize, Math.Max(DataSize, 1)));
        try
        {
            for (var i = firstBlock; i <= lastBlock; i++)
            {
                var offset = i * BlockSize;
                var data = buffer.AsMemory(0, BlockLength(i));
                await ReadExactlyAsync(data, offset, cancellationToken).ConfigureAwait(false);
                yield return new StoredBlock(i, offset, data, _sigs[(int)i]);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads body bytes at <paramref name="offset"/>; returns 0 at the end of the body.</summary>
    public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var n = (int)Math.Min(buffer.Length, Math.Max(0, DataSize - offset));
        if (n == 0)
        {
            return 0;
        }
        var read = await RandomAccess.ReadAsync(_body!.Handle!, buffer[..n], offset, cancellationToken).ConfigureAwait(false);
        return read > 0 ? read : throw BodyEnded(offset);
    }

    /// <summary>
    /// Reads body bytes at <paramref name="offset"/> synchronously (a positional read, <c>pread</c>): for small pieces
    /// of a file the page cache holds, cheaper than an asynchronous read's hop to another thread. Returns 0 at the end.
    /// </summary>
    public int Read(long offset, Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var n = (int)Math.Min(buffer.Length, Math.Max(0, DataSize - offset));
        if (n == 0)
        {
            return 0;
        }
        var read = RandomAccess.Read(_body!.Handle!, buffer[..n], offset);
        return read > 0 ? read : throw BodyEnded(offset);
    }

    /// <summary>
    /// The open body file (null for an empty body), owned by this entry and valid until it is disposed: for sending it
    /// with the kernel's <c>sendfile</c>, which reads at an explicit offset like <see cref="Read"/>. Do not dispose it.
    /// </summary>
    public SafeFileHandle? BodyHandle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _body?.Handle;
        }
    }

    /// <summary>A new read-only, seekable stream over the body (its own position; disposing it leaves this entry open).</summary>
    public Stream OpenBodyStream()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new EntryBodyStream(_body?.Handle, DataSize);
    }

    public void Dispose()
    {
        _disposed = true;
        _body?.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Builds an entry from files opened together: parses the head, checks it is for <paramref name="uri"/>, that the
    /// body has the head's data size and that the <c>sigs</c> lines are one per block at the block offsets. On success
    /// the entry owns the body file.
    /// </summary>
    internal static StoredEntry? TryCreate(EntryFiles files, string uri, string? staticRoot, int maxHeadBytes, out string? error)
    {
        var head = files.ReadHead(maxHeadBytes, out error);
        if (head is null)
        {
            return null;
        }
        var fields = StoredHeadFields.TryRead(head, out error);
        if (fields is null)
        {
            return null;
        }
        if (!string.Equals(fields.Uri, uri, StringComparison.Ordinal))
        {
            error = "the head is for another URI";
            return null;
        }
        var sigs = ReadSigs(files.Sigs, fields, out error);
        if (sigs is null)
        {
            return null;
        }
        if (files.TryResolveBody(fields.DataSize, staticRoot, out var body, out error) != BodyStatus.Ok)
        {
            return null;
        }
        if (ReferenceEquals(body, files.Body))
        {
            files.TakeBody();
        }
        return new StoredEntry(head, fields, sigs, body);
    }

    /// <summary>Checks the <c>sigs</c> file's size against the head before reading it, then its lines' offsets.</summary>
    internal static List<SigsLine>? ReadSigs(EntryFile? file, StoredHeadFields fields, out string? error)
    {
        var length = file?.Length ?? 0;
        if (!CheckSigsLength(length, fields, out error))
        {
            return null;
        }
        var count = (int)(length / SigsLine.LineLength);
        var lines = count == 0 ? [] : SigsFile.TryReadLines(file!, count, out error);
        if (lines is null)
        {
            error = $"sigs: {error}";
            return null;
        }
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Offset != (long)i * fields.BlockSize)
            {
                error = $"sigs line {i + 1} has offset {lines[i].Offset}, block {i} is at {(long)i * fields.BlockSize}";
                return null;
            }
        }
        return lines;
    }

    internal static bool CheckSigsLength(long length, StoredHeadFields fields, out string? error)
    {
        error = null;
        if (length % SigsLine.LineLength != 0)
        {
            error = $"sigs is {length} bytes, not a whole number of {SigsLine.LineLength}-byte lines";
            return false;
        }
        var lines = length / SigsLine.LineLength;
        if (!fields.AcceptsLineCount(lines))
        {
            error = $"sigs has {lines} lines for a body of {fields.BlockCount} blocks";
            return false;
        }
        return true;
    }

    private async ValueTask ReadExactlyAsync(Memory<byte> buffer, long offset, CancellationToken cancellationToken)
    {
        if (buffer.IsEmpty)
        {
            return;
        }
        if (!await _body!.TryReadExactlyAsync(buffer, offset, cancellationToken).ConfigureAwait(false))
        {
            throw BodyEnded(offset);
        }
    }

    private InvalidDataException BodyEnded(long offset) =>
        new($"The stored body ended before offset {offset + 1} of its {DataSize} bytes (changed on disk?).");

    private void CheckBlock(long blockIndex, string name)
    {
        if (blockIndex < 0 || blockIndex >= _sigs.Count)
        {
            throw new ArgumentOutOfRangeException(name, blockIndex, $"The entry has {_sigs.Count} blocks.");
        }
    }
}
