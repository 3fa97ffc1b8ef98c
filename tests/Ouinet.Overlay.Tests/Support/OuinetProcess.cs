using System.Diagnostics;
using System.Text;

namespace Ouinet.Overlay.Tests.Support;

/// <summary>
/// The built <c>ouinet</c> executable (<see cref="TestPaths.OuinetDll"/>) as a separate process, its output collected
/// for assertions and diagnostics; killed (with its tree) on dispose if still running.
/// </summary>
internal sealed class OuinetProcess : IAsyncDisposable
{
    private readonly System.Diagnostics.Process _process;
    private readonly StringBuilder _output = new();

    private OuinetProcess(System.Diagnostics.Process process, string name)
    {
        _process = process;
        Name = name;
    }

    public string Name { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static OuinetProcess Start(string name, params string[] args) => StartWith(["dotnet"], name, args);

    /// <summary>Runs <c>PREFIX… ouinet.dll ARGS</c>, the prefix ending in <c>dotnet</c> (e.g. <c>ip netns exec NS dotnet</c>).</summary>
    public static OuinetProcess StartWith(string[] prefix, string name, params string[] args) =>
        StartCommand(name, [.. prefix, TestPaths.OuinetDll, .. args]);

    /// <summary>Runs <paramref name="command"/> (program and arguments), e.g. a helper script of a test.</summary>
    public static OuinetProcess StartCommand(string name, params string[] command)
    {
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in command.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = new System.Diagnostics.Process { StartInfo = info };
        var result = new OuinetProcess(process, name);
        process.OutputDataReceived += (_, e) => result.Append(e.Data);
        process.ErrorDataReceived += (_, e) => result.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    /// <summary>Waits until <paramref name="ready"/> holds (checked every 50 ms); throws with the output if the process ends first or 30 s pass.</summary>
    public async Task WaitUntilAsync(Func<bool> ready, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!ready())
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"{Name} did not become ready:\n{Output}");
            }
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Waits for the process to end by itself (a tool run) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken);
        return _process.ExitCode;
    }

    /// <summary>SIGKILL of the tree: a member that disappears without a word.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
