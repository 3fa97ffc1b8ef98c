using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;

namespace Ouinet.UtpBench;

/// <summary>A child process whose stdout lines are collected; its CPU time can be read from /proc while it runs.</summary>
internal sealed class Child : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _seen = [];

    private Child(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _lines.Writer.TryComplete();
            }
            else
            {
                _lines.Writer.TryWrite(e.Data);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null && Environment.GetEnvironmentVariable("UTPBENCH_VERBOSE") is not null)
            {
                Console.Error.WriteLine($"  [{_process.Id}] {e.Data}");
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public static Child Start(string file, IEnumerable<string> arguments, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        return new Child(Process.Start(start)!);
    }

    /// <summary>Runs this very program with <paramref name="arguments"/> (a sender or a receiver), with extra environment variables.</summary>
    public static Child Self(IReadOnlyDictionary<string, string>? environment, params string[] arguments) =>
        Start(Environment.ProcessPath!, [typeof(Child).Assembly.Location, .. arguments], environment: environment);

    public async Task<string> WaitLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        foreach (var line in _seen)
        {
            if (match(line))
            {
                return line;
            }
        }
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await foreach (var line in _lines.Reader.ReadAllAsync(cancel.Token))
            {
                _seen.Add(line);
                if (match(line))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"process {_process.Id}: no matching line in {timeout}; saw: {string.Join(" | ", _seen.TakeLast(5))}");
        }
        throw new InvalidOperationException($"process {_process.Id} ended; saw: {string.Join(" | ", _seen.TakeLast(5))}");
    }

    public async Task<int> WaitExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    /// <summary>User + system CPU seconds so far, from /proc/PID/stat (clock ticks of 1/100 s).</summary>
    public double CpuSeconds()
    {
        var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    /// <summary>Sends SIGTERM and returns (the Python peers then print their last events and exit).</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("/bin/kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
        }
    }

    /// <summary>SIGTERM (the Python peers close their connections and exit), then kill after 5 s.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var kill = Process.Start("/bin/kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }
            try
            {
                await WaitExitAsync(TimeSpan.FromSeconds(5));
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
    }
}
