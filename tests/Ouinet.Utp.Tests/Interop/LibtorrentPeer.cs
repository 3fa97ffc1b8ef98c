using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Channels;

namespace Ouinet.Utp.Tests.Interop;

/// <summary>
/// <c>shared/interop/utp_peer.py</c> (libtorrent 2.0, uTP only, loopback only) as a child process; its stdout is one
/// JSON event per line. Skips the test when the script or Debian's python3-libtorrent is missing.
/// </summary>
internal sealed class LibtorrentPeer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<JsonElement> _events = Channel.CreateUnbounded<JsonElement>();
    private readonly List<JsonElement> _seen = [];
    private readonly System.Text.StringBuilder _stderr = new();

    private LibtorrentPeer(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line && line[0] == '{')
            {
                if (Environment.GetEnvironmentVariable("UTP_INTEROP_TRACE") is { } trace)
                {
                    File.AppendAllText(trace, line + "\n");
                }
                _events.Writer.TryWrite(JsonDocument.Parse(line).RootElement.Clone());
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }
        };
        _process.Exited += (_, _) => _events.Writer.TryComplete();
        _process.EnableRaisingEvents = true;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static string ScriptDirectory => TestPaths.LibtorrentInterop;

    public static void SkipUnlessAvailable()
    {
        if (!File.Exists(Path.Combine(ScriptDirectory, "utp_peer.py")))
        {
            Assert.Skip($"{ScriptDirectory}/utp_peer.py is absent.");
        }
        using var check = Process.Start(new ProcessStartInfo("/usr/bin/python3", "-c \"import libtorrent\"") { RedirectStandardError = true })!;
        check.WaitForExit();
        if (check.ExitCode != 0)
        {
            Assert.Skip("Debian's python3-libtorrent is not installed (test.sh installs it).");
        }
    }

    /// <summary>Runs <c>utp_peer.py</c> with <paramref name="arguments"/>.</summary>
    public static LibtorrentPeer Start(params string[] arguments)
    {
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            WorkingDirectory = ScriptDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("utp_peer.py");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["TMPDIR"] = Path.GetTempPath();
        return new LibtorrentPeer(Process.Start(start)!);
    }

    /// <summary>A port free for both UDP and TCP on 127.0.0.1 (libtorrent binds both).</summary>
    public static int FreePort()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
            }
        }
        throw new InvalidOperationException("No port free for both UDP and TCP.");
    }

    /// <summary>The first event named <paramref name="name"/> (and matching <paramref name="match"/>), seen before or arriving later.</summary>
    public async Task<JsonElement> WaitForAsync(string name, CancellationToken cancellationToken, Func<JsonElement, bool>? match = null)
    {
        bool Matches(JsonElement e) => e.GetProperty("event").GetString() == name && (match?.Invoke(e) ?? true);
        foreach (var seen in _seen)
        {
            if (Matches(seen))
            {
                return seen;
            }
        }
        await foreach (var e in _events.Reader.ReadAllAsync(cancellationToken))
        {
            _seen.Add(e);
            if (Matches(e))
            {
                return e;
            }
        }
        throw new InvalidOperationException($"utp_peer.py exited (code {_process.ExitCode}) before \"{name}\". Events: {string.Join(" ", _seen.Select(s => s.GetRawText()))} stderr: {StandardError}");
    }

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken);
        return _process.ExitCode;
    }

    /// <summary>SIGTERM: the script reports, closes its uTP connections with a FIN and exits.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var kill = Process.Start("/bin/kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
            }
        }
        _process.Dispose();
    }
}
