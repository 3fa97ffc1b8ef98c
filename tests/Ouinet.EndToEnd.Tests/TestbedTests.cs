using System.Diagnostics;
using Ouinet.EndToEnd.Tests.Support;

namespace Ouinet.EndToEnd.Tests;

/// <summary><c>ouinet testbed</c> as a user runs it: a real process that starts the whole network on loopback.</summary>
public sealed class TestbedTests
{
    [Fact(Timeout = 120_000)]
    public async Task TheTestbedShowsAPageReachingAClientWhoseOriginAndInjectorAreBlocked()
    {
        var ct = TestContext.Current.CancellationToken;
        var (code, output) = await RunAsync(ct, "testbed", "--check");
        Assert.True(code == 0, output);
        Assert.Contains("client B   proxy http://127.0.0.1:", output, StringComparison.Ordinal);
        Assert.Contains("origin: blocked, injector: blocked", output, StringComparison.Ordinal);
        Assert.Contains("check: A 200 from injector", output, StringComparison.Ordinal);
        Assert.Contains("check: B 200 from dist-cache", output, StringComparison.Ordinal);
        Assert.Contains("the origin served 0 requests meanwhile", output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task WithBridge_TheTestbedShowsAClientWhoseInjectorAddressIsBlockedReachingItThroughTheOther()
    {
        var ct = TestContext.Current.CancellationToken;
        var (code, output) = await RunAsync(ct, "testbed", "--bridge", "--check");
        Assert.True(code == 0, output);
        Assert.Contains("injector: blocked (its address is a closed port), through bridge A", output, StringComparison.Ordinal);
        Assert.Matches(@"check: B 200 from injector \(\d+ characters; A bridged [1-9]\d* bytes\)", output);
    }

    [Fact(Timeout = 180_000)]
    public async Task TheTestbedStopsCleanlyOnSigint_AndRemovesItsFolder()
    {
        var ct = TestContext.Current.CancellationToken;
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(OuinetProcess.Executable);
        info.ArgumentList.Add("testbed");
        using var process = Process.Start(info)!;
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        // Standard error is read too: a pipe nobody reads fills up and blocks the writer, which would look like a hang.
        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (errors) { errors.AppendLine(e.Data); } };
        process.BeginErrorReadLine();
        string Text() { lock (output) { return output.ToString(); } }
        string Errors() { lock (errors) { return errors.ToString(); } }
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!Text().Contains("Try (watch", StringComparison.Ordinal) && DateTime.UtcNow < deadline && !process.HasExited)
        {
            await Task.Delay(100, ct);
        }
        var folder = System.Text.RegularExpressions.Regex.Match(Text(), @"repositories in ([^)]+)\)").Groups[1].Value;
        Assert.True(Directory.Exists(folder), Text());
        Assert.Equal(0, Kill(process.Id, StopSignal())); // SIGINT, as Ctrl+C (or SIGTERM, see StopSignal)
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // Generous: under a loaded machine (the rest of the suite runs alongside) stopping has taken over 20 s.
        wait.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The testbed did not stop within 60 s of signal {StopSignal()}.\nstdout:\n{Text()}\nstderr:\n{Errors()}");
        }
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("Stopping the testbed", Text(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder));
    }

    /// <summary>
    /// SIGINT, unless this process ignores it — as a shell does for a command it runs in the background, and the testbed
    /// inherits that, so SIGINT would never reach it — then SIGTERM, which stops it the same way.
    /// </summary>
    private static int StopSignal()
    {
        const int SigInt = 2, SigTerm = 15;
        var ignored = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        var mask = ignored is null ? 0 : Convert.ToUInt64(ignored["SigIgn:".Length..].Trim(), 16);
        return (mask & (1UL << (SigInt - 1))) != 0 ? SigTerm : SigInt;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private static async Task<(int Code, string Output)> RunAsync(CancellationToken ct, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(OuinetProcess.Executable);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, await stdout + await stderr);
    }
}
