using System.Buffers;

namespace Ouinet.Protocol.Streams;

/// <summary>
/// A temporary file holding a body that can only be verified whole. Created owner-only, deleted when disposed
/// (or when the process dies, by the OS's delete-on-close), bounded by the caller.
/// </summary>
internal sealed class BodySpool : IDisposable
{
    private readonly FileStream _file;

    private BodySpool(FileStream file) => _file = file;

    public long Length => _file.Length;

    public static BodySpool Create(string? directory)
    {
        var path = Path.Combine(directory ?? Path.GetTempPath(), "ouinet-spool-" + Path.GetRandomFileName());
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            Options = FileOptions.DeleteOnClose | FileOptions.Asynchronous,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        return new BodySpool(new FileStream(path, options));
    }

    public async ValueTask WriteAsync(ReadOnlySequence<byte> data, CancellationToken cancellationToken)
    {
        foreach (var segment in data)
        {
            await _file.WriteAsync(segment, cancellationToken);
        }
    }

    /// <summary>Switches from writing to reading from the start.</summary>
    public async ValueTask RewindAsync(CancellationToken cancellationToken)
    {
        await _file.FlushAsync(cancellationToken);
        _file.Position = 0;
    }

    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken) => _file.ReadAsync(buffer, cancellationToken);

    public void Dispose() => _file.Dispose();
}
