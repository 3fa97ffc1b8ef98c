using Microsoft.Win32.SafeHandles;

namespace Ouinet.Cache.Storage;

/// <summary>How opening one file of an entry went.</summary>
internal enum EntryFileStatus
{
    /// <summary>Opened (or empty: nothing to open).</summary>
    Opened,

    /// <summary>No such file.</summary>
    Absent,

    /// <summary>There, but refused (a symbolic link, unreadable): the reason says which.</summary>
    Refused,
}

/// <summary>
/// One file of an entry opened for reading, with its length taken from the open handle. Files of length 0 are not
/// opened at all: special files (FIFOs, devices) report 0, and opening a FIFO would block, so a crafted cache cannot
/// hang us; an empty regular file has nothing to read anyway. Symbolic links are refused unless asked for
/// (<c>body-path</c> targets may be links confined to the static root, see <see cref="BodyPath"/>).
/// </summary>
internal sealed class EntryFile : IDisposable
{
    private EntryFile(string path, SafeFileHandle? handle, long length)
    {
        Path = path;
        Handle = handle;
        Length = length;
    }

    public string Path { get; }

    /// <summary>The open handle; null when the file is empty.</summary>
    public SafeFileHandle? Handle { get; }

    public long Length { get; }

    public static EntryFileStatus TryOpen(string path, bool followLinks, out EntryFile? file, out string? error)
    {
        file = null;
        error = null;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                if (Directory.Exists(path))
                {
                    error = $"{path} is a directory, not a file";
                    return EntryFileStatus.Refused;
                }
                return EntryFileStatus.Absent;
            }
            if (!followLinks && info.LinkTarget is not null)
            {
                error = $"{path} is a symbolic link";
                return EntryFileStatus.Refused;
            }
            if (info.Length == 0)
            {
                file = new EntryFile(path, null, 0);
                return EntryFileStatus.Opened;
            }
            var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.Asynchronous);
            file = new EntryFile(path, handle, RandomAccess.GetLength(handle));
            return EntryFileStatus.Opened;
        }
        catch (FileNotFoundException)
        {
            return EntryFileStatus.Absent;
        }
        catch (DirectoryNotFoundException)
        {
            return EntryFileStatus.Absent;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"{path}: {e.Message}";
            return EntryFileStatus.Refused;
        }
    }

    /// <summary>Reads exactly <paramref name="buffer"/>'s length at <paramref name="offset"/>; false when the file ends first.</summary>
    public bool TryReadExactly(Span<byte> buffer, long offset)
    {
        if (buffer.IsEmpty)
        {
            return true;
        }
        if (Handle is null)
        {
            return false;
        }
        while (!buffer.IsEmpty)
        {
            var n = RandomAccess.Read(Handle, buffer, offset);
            if (n == 0)
            {
                return false;
            }
            buffer = buffer[n..];
            offset += n;
        }
        return true;
    }

    /// <summary>Reads exactly <paramref name="buffer"/>'s length at <paramref name="offset"/>; false when the file ends first.</summary>
    public async ValueTask<bool> TryReadExactlyAsync(Memory<byte> buffer, long offset, CancellationToken cancellationToken)
    {
        if (buffer.IsEmpty)
        {
            return true;
        }
        if (Handle is null)
        {
            return false;
        }
        while (!buffer.IsEmpty)
        {
            var n = await RandomAccess.ReadAsync(Handle, buffer, offset, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return false;
            }
            buffer = buffer[n..];
            offset += n;
        }
        return true;
    }

    public void Dispose() => Handle?.Dispose();
}
