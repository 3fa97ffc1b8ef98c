using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Channels;

namespace Ouinet.Dht.Tests.Support;

/// <summary>
/// A child process that prints one JSON object per line (libtorrent's dht_peer.py, or <c>ouinet dht</c>). Lines are
/// parsed as they come; a test waits for the one it needs, with its own timeout. Disposing sends SIGTERM (so the
/// process can say goodbye), then kills it if it has not gone within two seconds: no test leaves a process behind.
/// </summary>
internal sealed class JsonLineProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<JsonElement> _lines = Channel.CreateUnbounded<JsonElement>();
    private readonly List<string> _all = [];
    private readonly List<string> _errors = [];
    private readonly Task _reader;
    private readonly Task _errorReader;

    private JsonLineProcess(Process process, string name)
    {
        _process = process;
        Name = name;
        _reader = Task.Run(ReadLinesAsync);
        _errorReader = Task.Run(ReadErrorsAsync);
    }

    public string Name { get; }

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>Everything printed so far, for failure messages.</summary>
    public string Transcript
    {
        get
        {
            lock (_all)
            {
                return $"--- {Name} stdout:\n{string.Join('\n', _all)}\n--- stderr:\n{string.Join('\n', _errors.TakeLast(30))}";
            }
        }
    }

    public static JsonLineProcess Start(string name, string fileName, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        return new JsonLineProcess(process, name);
    }

    /// <summary>Python with Debian's libtorrent, running a script of tests/interop/libtorrent (a copy of shared/interop); skips the test when python3-libtorrent is missing.</summary>
    public static JsonLineProcess Libtorrent(string name, params string[] arguments)
    {
        var script = InteropScript("dht_peer.py");
        return Start(name, "/usr/bin/python3", [script, .. arguments]);
    }

    /// <summary>The real <c>ouinet</c> command, built beside the tests.</summary>
    public static JsonLineProcess Ouinet(string name, params string[] arguments) =>
        Start(name, "dotnet", [TestPaths.OuinetDll, .. arguments]);

    public static string InteropScript(string file)
    {
        var script = Path.Combine(TestPaths.LibtorrentInterop, file);
        if (!LibtorrentAvailable.Value)
        {
            Assert.Skip("Debian's python3-libtorrent is not installed (test.sh installs it): /usr/bin/python3 -c 'import libtorrent' failed.");
        }
        return script;
    }

    private static readonly Lazy<bool> LibtorrentAvailable = new(() =>
    {
        try
        {
            using var check = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-c", "import libtorrent"]) { RedirectStandardError = true, UseShellExecute = false })!;
            check.WaitForExit(20_000);
            return check.HasExited && check.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });

    /// <summary>A loopback port free for both UDP and TCP (libtorrent binds both).</summary>
    public static int FreePort()
    {
        while (true)
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            try
            {
                using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
            }
        }
    }

    /// <summary>The first line (from now on) that <paramref name="match"/> accepts; fails with the transcript on timeout.</summary>
    public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> match, TimeSpan timeout, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var line = await _lines.Reader.ReadAsync(limit.Token);
                if (match(line))
                {
                    return line;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException && !ct.IsCancellationRequested)
        {
            Assert.Fail($"{Name}: the expected line did not come within {timeout.TotalSeconds} s (exit code {ExitCode}).\n{Transcript}");
            throw;
        }
    }

    public Task<JsonElement> WaitForEventAsync(string name, TimeSpan timeout, CancellationToken ct, Func<JsonElement, bool>? and = null) =>
        WaitForAsync(e => e.TryGetProperty("event", out var ev) && ev.GetString() == name && (and?.Invoke(e) ?? true), timeout, ct);

    /// <summary>Waits for the process to end by itself; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Assert.Fail($"{Name} did not exit within {timeout.TotalSeconds} s.\n{Transcript}");
        }
        await _reader;
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            SendTerm(_process.Id); // SIGTERM: the scripts print their exit line and close cleanly
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }
        await Task.WhenAll(_reader, _errorReader);
        _process.Dispose();
    }

    private async Task ReadLinesAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            lock (_all)
            {
                _all.Add(line);
            }
            try
            {
                using var document = JsonDocument.Parse(line);
                _lines.Writer.TryWrite(document.RootElement.Clone());
            }
            catch (JsonException)
            {
            }
        }
        _lines.Writer.TryComplete();
    }

    private async Task ReadErrorsAsync()
    {
        while (await _process.StandardError.ReadLineAsync() is { } line)
        {
            lock (_all)
            {
                _errors.Add(line);
            }
        }
    }

    private static void SendTerm(int pid)
    {
        try
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false });
            kill?.WaitForExit(2000);
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
    }
}
