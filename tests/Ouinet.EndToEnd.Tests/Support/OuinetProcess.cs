using System.Diagnostics;
using System.Text;

namespace Ouinet.EndToEnd.Tests.Support;

/// <summary>
/// The real <c>ouinet</c> executable (the built <c>src/Ouinet.Cli</c>, run with <c>dotnet</c>) as a separate process.
/// Output is collected for diagnostics; the process (tree) is killed on dispose if still running.
/// </summary>
internal sealed class OuinetProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private OuinetProcess(Process process) => _process = process;

    /// <summary>The built <c>ouinet.dll</c>, in the same configuration as these tests.</summary>
    public static string Executable
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
            var path = Path.Combine(TestPaths.RepositoryRoot, "src", "Ouinet.Cli", "bin", configuration, "net10.0", "ouinet.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"Build src/Ouinet.Cli first: {path} is missing.");
        }
    }

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

    /// <summary>Starts <c>dotnet ouinet.dll ARGS</c> and waits until <paramref name="readyFile"/> exists (or the process ends).</summary>
    public static Task<OuinetProcess> StartAsync(string readyFile, CancellationToken cancellationToken, params string[] args)
    {
        File.Delete(readyFile);
        return StartCoreAsync(_ => File.Exists(readyFile), args, cancellationToken);
    }

    /// <summary>Starts <c>dotnet ouinet.dll ARGS</c> and waits until its output contains <paramref name="text"/>.</summary>
    public static Task<OuinetProcess> StartUntilOutputAsync(string text, CancellationToken cancellationToken, params string[] args) =>
        StartCoreAsync(p => p.Output.Contains(text, StringComparison.Ordinal), args, cancellationToken);

    /// <summary>Waits until the output contains <paramref name="text"/>; false after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForOutputAsync(string text, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline || HasExited)
            {
                return false;
            }
            await Task.Delay(100, cancellationToken);
        }
        return true;
    }

    private static async Task<OuinetProcess> StartCoreAsync(Func<OuinetProcess, bool> ready, string[] args, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Executable);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = new Process { StartInfo = info };
        var result = new OuinetProcess(process);
        process.OutputDataReceived += (_, e) => result.Append(e.Data);
        process.ErrorDataReceived += (_, e) => result.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!ready(result))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                await result.DisposeAsync();
                throw new InvalidOperationException($"ouinet {string.Join(' ', args)} did not start:\n{result.Output}");
            }
            await Task.Delay(50, cancellationToken);
        }
        return result;
    }

    /// <summary>Stops the process (SIGKILL of the tree: the tests simulate a node that disappears) and waits for it.</summary>
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
        try
        {
            await KillAsync();
        }
        catch (InvalidOperationException)
        {
        }
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
