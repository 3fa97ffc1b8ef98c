using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Ouinet.Testing;

namespace Ouinet.EndToEnd.Tests.Support;

/// <summary>A libtorrent DHT node (<c>tests/interop/libtorrent/dht_peer.py serve</c>) on loopback, joined to a private DHT.</summary>
internal sealed class LibtorrentDhtNode : IAsyncDisposable
{
    private readonly Process _process;

    private LibtorrentDhtNode(Process process, IPEndPoint endPoint)
    {
        _process = process;
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

    public static async Task<LibtorrentDhtNode> StartAsync(IPEndPoint node, CancellationToken cancellationToken)
    {
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }
        var info = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(TestPaths.LibtorrentInterop, "dht_peer.py"), "serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--node", node.ToString(), "--timeout", "280" })
        {
            info.ArgumentList.Add(argument);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("python3 did not start");
        _ = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Contains("\"event\": \"ready\"", StringComparison.Ordinal) || line.Contains("\"event\":\"ready\"", StringComparison.Ordinal))
            {
                _ = DrainAsync(process);
                return new LibtorrentDhtNode(process, new IPEndPoint(IPAddress.Loopback, port));
            }
        }
        process.Kill();
        throw new InvalidOperationException("The libtorrent DHT node did not get ready.");
    }

    private static async Task DrainAsync(Process process)
    {
        while (await process.StandardOutput.ReadLineAsync() is not null)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
