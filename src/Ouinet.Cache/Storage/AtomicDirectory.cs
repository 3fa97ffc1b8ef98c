using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Ouinet.Cache.Storage;

/// <summary>
/// Puts a fully written directory in place of another so that, whatever the moment of a crash, the path holds either
/// the old directory or the new one. On Linux <c>renameat2(RENAME_EXCHANGE)</c> swaps the two atomically; elsewhere
/// (or on file systems without it) the old one is first moved aside and <see cref="Recover"/> puts it back if the
/// process died in between.
/// </summary>
public static partial class AtomicDirectory
{
    /// <summary>Suffix of a directory being written (removed on recovery: it never became visible).</summary>
    public const string NewSuffix = ".new-";

    /// <summary>Suffix of a replaced directory waiting for deletion, or the old entry saved by the fallback path.</summary>
    public const string OldSuffix = ".old-";

    /// <summary>Suffix of a directory being removed (deleted on recovery: the removal had already taken effect).</summary>
    public const string DeletedSuffix = ".del-";

    private const int AtFdCwd = -100;
    private const uint RenameExchange = 2;
    private static bool s_exchangeUnsupported;

    /// <summary>Whether <paramref name="name"/> is a directory name this class leaves behind when interrupted.</summary>
    public static bool IsLeftover(string name) =>
        name.IndexOf(NewSuffix, StringComparison.Ordinal) > 0
        || name.IndexOf(OldSuffix, StringComparison.Ordinal) > 0
        || name.IndexOf(DeletedSuffix, StringComparison.Ordinal) > 0;

    /// <summary>A fresh sibling path for writing the new version of <paramref name="target"/>.</summary>
    public static string NewSiblingPath(string target) => target + NewSuffix + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Makes <paramref name="staged"/> (a finished directory) visible at <paramref name="target"/>.</summary>
    public static void Commit(string staged, string target)
    {
        if (CommitWithoutCleanup(staged, target) is { } replaced)
        {
            Delete(replaced);
        }
    }

    /// <summary>
    /// Makes <paramref name="staged"/> visible at <paramref name="target"/> and returns the directory now holding the
    /// replaced version (null when there was none), for the caller to <see cref="Delete"/> later, e.g. outside a lock.
    /// Its name is one <see cref="Recover"/> removes, so a crash before the deletion loses nothing.
    /// </summary>
    public static string? CommitWithoutCleanup(string staged, string target)
    {
        FileSystemSync.SyncDirectory(staged);
        if (!Directory.Exists(target))
        {
            try
            {
                Directory.Move(staged, target);
                FileSystemSync.SyncDirectory(Path.GetDirectoryName(target)!);
                return null;
            }
            catch (IOException) when (Directory.Exists(target))
            {
                // Someone else created it in the meantime: fall through to a replacement.
            }
        }

        if (TryExchange(staged, target))
        {
            // `staged` now holds the old version.
            FileSystemSync.SyncDirectory(Path.GetDirectoryName(target)!);
            return staged;
        }

        var aside = target + OldSuffix + Guid.NewGuid().ToString("N")[..12];
        Directory.Move(target, aside);
        try
        {
            Directory.Move(staged, target);
        }
        catch
        {
            Directory.Move(aside, target); // Put the old one back rather than wait for recovery.
            throw;
        }
        FileSystemSync.SyncDirectory(Path.GetDirectoryName(target)!);
        return aside;
    }

    /// <summary>
    /// Takes <paramref name="target"/> out of view in one rename, to a name <see cref="Recover"/> deletes, and returns
    /// where it went (null when there was nothing). The removal has taken effect once this returns.
    /// </summary>
    public static string? MoveAsideForDeletion(string target)
    {
        var aside = target + DeletedSuffix + Guid.NewGuid().ToString("N")[..12];
        try
        {
            Directory.Move(target, aside);
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        FileSystemSync.SyncDirectory(Path.GetDirectoryName(target)!);
        return aside;
    }

    /// <summary>Deletes a replaced or removed directory; false when it could not (recovery will retry).</summary>
    public static bool Delete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Brings the directories under <paramref name="parent"/> back to a committed state after a crash: staged
    /// directories are removed; an old directory saved aside whose target is missing is put back; other leftovers
    /// (replaced versions, removed directories) go.
    /// Returns how many leftovers were handled.
    /// </summary>
    public static int Recover(string parent)
    {
        if (!Directory.Exists(parent))
        {
            return 0;
        }
        var handled = 0;
        // Collected first: renaming and deleting while enumerating may skip entries.
        var leftovers = Directory.EnumerateDirectories(parent).Where(d => IsLeftover(Path.GetFileName(d))).ToList();
        foreach (var dir in leftovers)
        {
            var name = Path.GetFileName(dir);
            var newAt = name.IndexOf(NewSuffix, StringComparison.Ordinal);
            var oldAt = name.IndexOf(OldSuffix, StringComparison.Ordinal);
            var deletedAt = name.IndexOf(DeletedSuffix, StringComparison.Ordinal);
            if (newAt > 0 || deletedAt > 0)
            {
                Directory.Delete(dir, recursive: true);
                handled++;
            }
            else if (oldAt > 0)
            {
                var target = Path.Combine(parent, name[..oldAt]);
                if (Directory.Exists(target))
                {
                    Directory.Delete(dir, recursive: true);
                }
                else
                {
                    Directory.Move(dir, target);
                }
                handled++;
            }
        }
        return handled;
    }

    private static bool TryExchange(string a, string b)
    {
        if (s_exchangeUnsupported || !OperatingSystem.IsLinux())
        {
            return false;
        }
        try
        {
            if (RenameAt2(AtFdCwd, a, AtFdCwd, b, RenameExchange) == 0)
            {
                return true;
            }
        }
        catch (EntryPointNotFoundException)
        {
            s_exchangeUnsupported = true;
            return false;
        }
        var errno = Marshal.GetLastPInvokeError();
        const int Enosys = 38, Einval = 22;
        if (errno is Enosys or Einval)
        {
            s_exchangeUnsupported = true;
            return false;
        }
        throw new IOException($"Cannot swap {a} and {b}: {new Win32Exception(errno).Message}");
    }

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameAt2(int oldDirFd, string oldPath, int newDirFd, string newPath, uint flags);
}
