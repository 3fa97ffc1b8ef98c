using System.Runtime.InteropServices;

namespace Ouinet.Cache.Storage;

/// <summary>
/// fsync for directories, which .NET does not offer: without it a rename can be lost on power failure even though
/// the files it names were flushed.
/// </summary>
internal static partial class FileSystemSync
{
    private const int ORdOnly = 0;

    // O_DIRECTORY differs by architecture: 0200000 on x86 and most others, 040000 on ARM.
    private static readonly int ODirectory =
        RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x4000 : 0x10000;

    public static void SyncDirectory(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var fd = Open(path, ORdOnly | ODirectory);
        if (fd < 0)
        {
            return; // Best effort: the data files themselves were flushed.
        }
        try
        {
            _ = Fsync(fd);
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
