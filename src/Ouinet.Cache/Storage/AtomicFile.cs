namespace Ouinet.Cache.Storage;

/// <summary>Small files written whole: to a temporary sibling, flushed, then renamed over the target.</summary>
public static class AtomicFile
{
    /// <summary>Infix of the temporary sibling a write goes through (left behind only by a crash).</summary>
    public const string TemporaryInfix = ".tmp-";

    /// <summary>Whether <paramref name="name"/> is the temporary sibling of an interrupted write.</summary>
    public static bool IsTemporary(string name) => name.IndexOf(TemporaryInfix, StringComparison.Ordinal) > 0;

    public static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode? mode = null)
    {
        var temp = path + TemporaryInfix + Guid.NewGuid().ToString("N")[..12];
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (mode is { } m && !OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = m;
            }
            using (var file = new FileStream(temp, options))
            {
                file.Write(content);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            FileSystemSync.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    public static void WriteText(string path, string text, UnixFileMode? mode = null) =>
        Write(path, System.Text.Encoding.UTF8.GetBytes(text), mode);
}
