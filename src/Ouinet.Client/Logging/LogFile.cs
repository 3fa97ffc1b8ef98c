using System.Globalization;
using System.Text;

namespace Ouinet.Client.Logging;

/// <summary>
/// <c>&lt;repo&gt;/log.txt</c> (<c>enable-log-file</c>): log lines appended while enabled, at most <see cref="MaxBytes"/>
/// (Ouinet: 15 MiB); when full, the file starts over, so it always holds the latest lines.
/// </summary>
public sealed class LogFile : IDisposable
{
    public const string FileName = "log.txt";
    public const long MaxBytes = 15L * 1024 * 1024;

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly long _maxBytes;
    private FileStream? _stream;

    public LogFile(string repository, TimeProvider? time = null, long maxBytes = MaxBytes)
    {
        Path = System.IO.Path.Combine(repository, FileName);
        _time = time ?? TimeProvider.System;
        _maxBytes = maxBytes;
    }

    public string Path { get; }

    public bool IsEnabled
    {
        get
        {
            lock (_lock)
            {
                return _stream is not null;
            }
        }
    }

    /// <summary>Opens (appending) or closes the file.</summary>
    public void SetEnabled(bool enabled)
    {
        lock (_lock)
        {
            if (enabled && _stream is null)
            {
                _stream = Open(FileMode.Append);
            }
            else if (!enabled && _stream is not null)
            {
                _stream.Dispose();
                _stream = null;
            }
        }
    }

    public void Write(string level, string category, string message)
    {
        var line = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{_time.GetUtcNow():yyyy-MM-ddTHH:mm:ss.fffZ} [{level}] {category}: {message}\n"));
        lock (_lock)
        {
            if (_stream is null)
            {
                return;
            }
            try
            {
                if (_stream.Length + line.Length > _maxBytes)
                {
                    _stream.Dispose();
                    _stream = Open(FileMode.Create);
                }
                _stream.Write(line);
                _stream.Flush();
            }
            catch (IOException)
            {
                // A full disk must not break the requests that log.
            }
        }
    }

    public void Dispose() => SetEnabled(false);

    private FileStream Open(FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.ReadWrite | FileShare.Delete };
        if (!OperatingSystem.IsWindows())
        {
            // The log may hold addresses of what the user browsed: the owner's alone.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        return new FileStream(Path, options);
    }
}
