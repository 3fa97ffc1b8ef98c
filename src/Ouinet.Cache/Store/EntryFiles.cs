using System.Text;
using Ouinet.Cache.Storage;
using Ouinet.Http;

namespace Ouinet.Cache.Store;

/// <summary>What <see cref="EntryFiles.TryResolveBody"/> found.</summary>
internal enum BodyStatus
{
    Ok,

    /// <summary>No body where one is needed, both kinds, or a body-path that is malformed, escapes the root or names no file.</summary>
    Invalid,

    /// <summary>A body whose length is not the data size.</summary>
    WrongSize,
}

/// <summary>
/// The files of one entry directory, opened together so that they all belong to the same version of the entry: once
/// open, a replacement of the directory cannot mix an old head with a new body (open handles keep their inodes).
/// </summary>
internal sealed class EntryFiles : IDisposable
{
    /// <summary>Longest <c>body-path</c> file read.</summary>
    public const int MaxBodyPathBytes = 4096;

    public const string BodyFileName = "body";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private EntryFiles(string directory) => Directory = directory;

    public string Directory { get; }

    public EntryFile? Head { get; private set; }

    public EntryFile? Sigs { get; private set; }

    public EntryFile? Body { get; private set; }

    public EntryFile? BodyPath { get; private set; }

    /// <summary>
    /// Opens every file of the entry at <paramref name="directory"/>. Null with <paramref name="error"/> null when there
    /// is no such entry; null with a reason when a file is refused or the head is missing.
    /// </summary>
    public static EntryFiles? Open(string directory, out string? error)
    {
        error = null;
        if (!System.IO.Directory.Exists(directory))
        {
            return null;
        }
        var files = new EntryFiles(directory);
        try
        {
            files.Head = OpenOne(directory, HeadFile.FileName, ref error);
            files.Sigs = OpenOne(directory, SigsFile.FileName, ref error);
            files.Body = OpenOne(directory, BodyFileName, ref error);
            files.BodyPath = OpenOne(directory, Storage.BodyPath.FileName, ref error);
            if (error is null && files.Head is null)
            {
                error = System.IO.Directory.Exists(directory) ? "no head file" : null;
            }
            if (error is not null || files.Head is null)
            {
                files.Dispose();
                return null;
            }
            return files;
        }
        catch
        {
            files.Dispose();
            throw;
        }
    }

    public HttpResponseHead? ReadHead(int maxBytes, out string? error) => HeadFile.TryRead(Head!, maxBytes, out error);

    /// <summary>
    /// The body, checked against <paramref name="dataSize"/>: the <c>body</c> file, or the file <c>body-path</c> names
    /// under <paramref name="staticRoot"/>. An empty body needs neither (null body, no error). The returned file is the
    /// caller's to dispose when it is a <c>body-path</c> target; a <c>body</c> file stays owned by this object unless
    /// <see cref="TakeBody"/> is called.
    /// </summary>
    public BodyStatus TryResolveBody(long dataSize, string? staticRoot, out EntryFile? body, out string? error)
    {
        body = null;
        if (Body is not null && BodyPath is not null)
        {
            error = "both a body and a body-path file";
            return BodyStatus.Invalid;
        }
        if (BodyPath is not null)
        {
            var relative = ReadBodyPath(out error);
            if (relative is null)
            {
                return BodyStatus.Invalid;
            }
            if (staticRoot is null)
            {
                error = "a body-path entry, but no static cache root to resolve it in";
                return BodyStatus.Invalid;
            }
            var full = Storage.BodyPath.Resolve(staticRoot, relative, out error);
            if (full is null)
            {
                return BodyStatus.Invalid;
            }
            var status = EntryFile.TryOpen(full, followLinks: true, out body, out error);
            if (status != EntryFileStatus.Opened)
            {
                error ??= $"body-path {relative} names no file";
                return BodyStatus.Invalid;
            }
        }
        else
        {
            body = Body;
        }
        if (body is null && dataSize > 0)
        {
            error = $"no body or body-path file, but X-Ouinet-Data-Size is {dataSize}";
            return BodyStatus.Invalid;
        }
        var length = body?.Length ?? 0;
        if (length != dataSize)
        {
            error = $"the body is {length} bytes, but X-Ouinet-Data-Size is {dataSize}";
            if (!ReferenceEquals(body, Body))
            {
                body?.Dispose();
            }
            body = null;
            return BodyStatus.WrongSize;
        }
        error = null;
        return BodyStatus.Ok;
    }

    /// <summary>Hands the <c>body</c> file's ownership to the caller.</summary>
    public void TakeBody() => Body = null;

    private string? ReadBodyPath(out string? error)
    {
        var file = BodyPath!;
        if (file.Length is 0 or > MaxBodyPathBytes)
        {
            error = file.Length == 0 ? "body-path is empty" : $"body-path is {file.Length} bytes, more than {MaxBodyPathBytes}";
            return null;
        }
        var bytes = new byte[file.Length];
        if (!file.TryReadExactly(bytes, 0))
        {
            error = "body-path became shorter while it was read";
            return null;
        }
        try
        {
            var text = StrictUtf8.GetString(bytes);
            error = Storage.BodyPath.Validate(text);
            return error is null ? text : null;
        }
        catch (DecoderFallbackException)
        {
            error = "body-path is not UTF-8";
            return null;
        }
    }

    private static EntryFile? OpenOne(string directory, string name, ref string? error)
    {
        if (error is not null)
        {
            return null;
        }
        var status = EntryFile.TryOpen(Path.Combine(directory, name), followLinks: false, out var file, out var reason);
        if (status == EntryFileStatus.Refused)
        {
            error = reason;
        }
        return file;
    }

    public void Dispose()
    {
        Head?.Dispose();
        Sigs?.Dispose();
        Body?.Dispose();
        BodyPath?.Dispose();
    }
}
