using System.Security.Cryptography;
using Ouinet.Cache.Storage;
using Ouinet.Http;
using Ouinet.Protocol;
using Ouinet.Protocol.Signatures;

namespace Ouinet.Cache.Store;

/// <summary>
/// Writes one entry into a staging directory next to its final place, then makes it visible in one step
/// (<see cref="CommitAsync"/>): readers see the old entry or the new one, never a mix or a half-written one. Blocks are
/// streamed to the <c>body</c> and <c>sigs</c> files as they come. Disposing without committing throws the staged
/// files away. Not thread-safe: one producer appends.
/// </summary>
public sealed class EntryWriter : IAsyncDisposable
{
    private readonly SignedStore _store;
    private readonly string _staged;
    private readonly List<long> _offsets = [];
    private FileStream? _body;
    private FileStream? _sigs;
    private string? _bodyPath;
    private long _bodyLength;
    private State _state;

    internal EntryWriter(SignedStore store, string uri, string staged)
    {
        _store = store;
        Uri = uri;
        _staged = staged;
    }

    private enum State
    {
        Open,
        Failed,
        Committed,
        Disposed,
    }

    /// <summary>The URI the entry is for.</summary>
    public string Uri { get; }

    /// <summary>The staging directory (for diagnostics and tests).</summary>
    public string StagingDirectory => _staged;

    /// <summary>Body bytes appended so far.</summary>
    public long BodyLength => _bodyLength;

    /// <summary><c>sigs</c> lines appended so far.</summary>
    public int BlockCount => _offsets.Count;

    /// <summary>
    /// For a static cache: the body stays in the static root at <paramref name="relative"/> (forward slashes, no
    /// <c>.</c>/<c>..</c>) and only <c>sigs</c> lines are appended (<see cref="AppendSigsLineAsync"/>). Call before any line.
    /// </summary>
    public void UseBodyPath(string relative)
    {
        EnsureOpen();
        if (_offsets.Count > 0)
        {
            throw new InvalidOperationException("UseBodyPath must come before the first sigs line.");
        }
        if (_store.StaticRoot is null)
        {
            throw new InvalidOperationException("A body-path entry needs a store opened with a static cache root.");
        }
        var error = BodyPath.Validate(relative);
        if (error is not null)
        {
            throw new ArgumentException($"Invalid body-path: {error}.", nameof(relative));
        }
        _bodyPath = relative;
    }

    /// <summary>
    /// Appends block <c>i</c> and its <c>sigs</c> line: the line's offset must be where the body ends so far and its
    /// <c>hash(i)</c> the SHA-512 of <paramref name="data"/>. An empty block is only the sole block of an empty body (C1).
    /// </summary>
    public async ValueTask AppendBlockAsync(ReadOnlyMemory<byte> data, SigsLine line, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(line);
        EnsureOpen();
        if (_bodyPath is not null)
        {
            throw new InvalidOperationException("This entry's body is a body-path: append sigs lines only.");
        }
        if (line.Offset != _bodyLength)
        {
            throw new ArgumentException($"The sigs line is for offset {line.Offset}, but the body so far ends at {_bodyLength}.", nameof(line));
        }
        if (data.IsEmpty && _offsets.Count > 0)
        {
            throw new ArgumentException("An empty block can only be the single block of an empty body.", nameof(data));
        }
        if (!SHA512.HashData(data.Span).AsSpan().SequenceEqual(line.BlockHash))
        {
            throw new ArgumentException($"The sigs line's hash(i) is not the SHA-512 of the block at offset {line.Offset}.", nameof(line));
        }
        await Guard(async () =>
        {
            if (!data.IsEmpty)
            {
                _body ??= Create(EntryFiles.BodyFileName, bufferSize: 0);
                await _body.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            }
            await WriteLineAsync(line, cancellationToken).ConfigureAwait(false);
            _bodyLength += data.Length;
        }).ConfigureAwait(false);
    }

    /// <summary>Appends the next <c>sigs</c> line of a body-path entry (<see cref="UseBodyPath"/>).</summary>
    public async ValueTask AppendSigsLineAsync(SigsLine line, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(line);
        EnsureOpen();
        if (_bodyPath is null)
        {
            throw new InvalidOperationException("Only a body-path entry takes sigs lines alone; use AppendBlockAsync.");
        }
        if (_offsets.Count > 0 && line.Offset <= _offsets[^1])
        {
            throw new ArgumentException($"The sigs line's offset {line.Offset} does not follow {_offsets[^1]}.", nameof(line));
        }
        await Guard(() => WriteLineAsync(line, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes <paramref name="storedHead"/> as the <c>head</c> file (it must be the stored form: no framing, for this
    /// URI, complete with <c>X-Ouinet-Sig1</c>), flushes everything to disk and replaces any previous entry for the URI
    /// in one step, then adds the entry to <paramref name="group"/> when given (a failure there is logged: the entry
    /// stays committed, without the group). Throws, leaving the old entry, when the
    /// blocks do not fit the head: one <c>sigs</c> line per block at offsets <c>i × block-size</c>, the body exactly
    /// <c>X-Ouinet-Data-Size</c> bytes (an empty body: one line or none, and no body file).
    /// </summary>
    public async ValueTask CommitAsync(HttpResponseHead storedHead, string? group = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storedHead);
        EnsureOpen();
        var fields = CheckHead(storedHead);
        CheckBlocks(fields);
        await Guard(async () =>
        {
            await CloseAsync(_body, cancellationToken).ConfigureAwait(false);
            await CloseAsync(_sigs, cancellationToken).ConfigureAwait(false);
            _body = _sigs = null;
            await WriteWholeAsync(HeadFile.FileName, HeadFile.Format(storedHead), cancellationToken).ConfigureAwait(false);
            if (_bodyPath is not null)
            {
                await WriteWholeAsync(BodyPath.FileName, System.Text.Encoding.UTF8.GetBytes(_bodyPath), cancellationToken).ConfigureAwait(false);
            }
            cancellationToken.ThrowIfCancellationRequested();
            _store.CommitStaged(_staged, fields, group);
        }).ConfigureAwait(false);
        _state = State.Committed;
    }

    /// <summary>Closes the files and, unless committed, deletes the staging directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_state == State.Disposed)
        {
            return;
        }
        var committed = _state == State.Committed;
        _state = State.Disposed;
        if (_body is not null)
        {
            await _body.DisposeAsync().ConfigureAwait(false);
        }
        if (_sigs is not null)
        {
            await _sigs.DisposeAsync().ConfigureAwait(false);
        }
        if (!committed)
        {
            AtomicDirectory.Delete(_staged);
        }
    }

    private StoredHeadFields CheckHead(HttpResponseHead head)
    {
        var fields = StoredHeadFields.TryRead(head, out var error)
            ?? throw new ArgumentException($"The head cannot be stored: {error}.", nameof(head));
        if (!string.Equals(fields.Uri, Uri, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The head's {OuinetHeaders.Uri} is not the URI this entry was begun for.", nameof(head));
        }
        foreach (var field in head.Fields)
        {
            if (HeadSigner.IsUnsigned(field.Name) && !OuinetHeaders.IsSignatureField(field.Name))
            {
                throw new ArgumentException($"A stored head has no framing fields ({field.Name}).", nameof(head));
            }
        }
        if (!head.Fields.Contains(OuinetHeaders.Sig1))
        {
            throw new ArgumentException($"Only complete entries are stored: the head has no {OuinetHeaders.Sig1}.", nameof(head));
        }
        return fields;
    }

    private void CheckBlocks(StoredHeadFields fields)
    {
        if (!fields.AcceptsLineCount(_offsets.Count))
        {
            throw new InvalidOperationException(
                $"{_offsets.Count} sigs lines were appended; a body of {fields.DataSize} bytes in blocks of {fields.BlockSize} has {fields.BlockCount}.");
        }
        for (var i = 0; i < _offsets.Count; i++)
        {
            if (_offsets[i] != (long)i * fields.BlockSize)
            {
                throw new InvalidOperationException($"sigs line {i + 1} is for offset {_offsets[i]}, but block {i} is at {(long)i * fields.BlockSize}.");
            }
        }
        if (_bodyPath is null)
        {
            if (_bodyLength != fields.DataSize)
            {
                throw new InvalidOperationException($"{_bodyLength} body bytes were appended, but X-Ouinet-Data-Size is {fields.DataSize}.");
            }
            return;
        }
        var full = BodyPath.Resolve(_store.StaticRoot!, _bodyPath, out var error)
            ?? throw new InvalidOperationException($"The body-path cannot be used: {error}.");
        var status = EntryFile.TryOpen(full, followLinks: true, out var file, out error);
        using (file)
        {
            if (status != EntryFileStatus.Opened || file!.Length != fields.DataSize)
            {
                throw new InvalidOperationException(status == EntryFileStatus.Opened
                    ? $"The body-path file is {file!.Length} bytes, but X-Ouinet-Data-Size is {fields.DataSize}."
                    : $"The body-path file cannot be opened: {error ?? "absent"}.");
            }
        }
    }

    private async Task WriteLineAsync(SigsLine line, CancellationToken cancellationToken)
    {
        _sigs ??= Create(SigsFile.FileName, bufferSize: 16 * SigsLine.LineLength);
        await _sigs.WriteAsync(System.Text.Encoding.ASCII.GetBytes(line.Format()), cancellationToken).ConfigureAwait(false);
        _offsets.Add(line.Offset);
    }

    private FileStream Create(string name, int bufferSize) =>
        new(Path.Combine(_staged, name), new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.Read,
            BufferSize = bufferSize,
            Options = FileOptions.Asynchronous,
        });

    private async Task WriteWholeAsync(string name, byte[] content, CancellationToken cancellationToken)
    {
        var file = Create(name, bufferSize: 0);
        await using (file.ConfigureAwait(false))
        {
            await file.WriteAsync(content, cancellationToken).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }
    }

    private static async Task CloseAsync(FileStream? file, CancellationToken cancellationToken)
    {
        if (file is null)
        {
            return;
        }
        await file.FlushAsync(cancellationToken).ConfigureAwait(false);
        file.Flush(flushToDisk: true);
        await file.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Runs a step that touches the files; if it fails the entry can no longer be committed.</summary>
    private async Task Guard(Func<Task> step)
    {
        try
        {
            await step().ConfigureAwait(false);
        }
        catch
        {
            _state = State.Failed;
            throw;
        }
    }

    private void EnsureOpen()
    {
        switch (_state)
        {
            case State.Open:
                return;
            case State.Failed:
                throw new InvalidOperationException("An earlier write failed; this entry cannot be committed.");
            case State.Committed:
                throw new InvalidOperationException("The entry is already committed.");
            default:
                throw new ObjectDisposedException(nameof(EntryWriter));
        }
    }
}
