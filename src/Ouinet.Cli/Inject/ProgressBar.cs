using System.Globalization;

namespace Ouinet.Cli.Inject;

/// <summary>A one-line progress bar on a terminal, redrawn at most ten times a second; silent when output is redirected.</summary>
internal sealed class ProgressBar(TextWriter terminal, bool enabled, long totalBytes, int totalFiles, TimeProvider time)
{
    private const int Width = 30;
    private readonly Lock _lock = new();
    private long _bytes;
    private int _files;
    private long _lastDraw;

    public void Advance(long bytes, int files = 0)
    {
        lock (_lock)
        {
            _bytes += bytes;
            _files += files;
            var now = time.GetTimestamp();
            if (enabled && (files > 0 && _files == totalFiles || time.GetElapsedTime(_lastDraw, now) >= TimeSpan.FromMilliseconds(100)))
            {
                _lastDraw = now;
                Draw();
            }
        }
    }

    public void Finish()
    {
        if (enabled)
        {
            terminal.Write('\n');
        }
    }

    private void Draw()
    {
        var fraction = totalBytes == 0 ? 1.0 : Math.Min(1.0, (double)_bytes / totalBytes);
        var filled = (int)(fraction * Width);
        terminal.Write(string.Create(CultureInfo.InvariantCulture,
            $"\r[{new string('#', filled)}{new string('.', Width - filled)}] {fraction,4:P0} {Size(_bytes)}/{Size(totalBytes)} {_files}/{totalFiles} files"));
    }

    internal static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 10):0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };
}
