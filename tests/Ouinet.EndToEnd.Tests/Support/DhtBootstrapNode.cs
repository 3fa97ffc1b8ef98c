using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Ouinet.EndToEnd.Tests.Support;

/// <summary>
/// A private DHT for a test: one or more real <c>ouinet dht serve</c> processes on loopback, the bootstrap nodes the
/// clients are given with <c>bt-bootstrap-extra</c> (and <c>bt-bootstrap-no-default</c>): nothing leaves 127.0.0.0/8.
/// </summary>
internal sealed class DhtBootstrapNode : IAsyncDisposable
{
    private DhtBootstrapNode(OuinetProcess process, IPEndPoint endPoint)
    {
        Process = process;
        EndPoint = endPoint;
    }

    public OuinetProcess Process { get; }

    public IPEndPoint EndPoint { get; }

    /// <summary>The client options that join this DHT and keep the client's UDP socket on loopback.</summary>
    public string[] ClientArguments =>
    [
        "--cache-type", "bep5-http", "--udp-mux-address", "127.0.0.1", "--udp-mux-port", "0",
        "--bt-bootstrap-extra", EndPoint.ToString(), "--bt-bootstrap-no-default", "--bt-allow-martians",
    ];

    public static async Task<DhtBootstrapNode> StartAsync(CancellationToken cancellationToken)
    {
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }
        var endpoint = new IPEndPoint(IPAddress.Loopback, port);
        var process = await OuinetProcess.StartUntilOutputAsync("\"listening\"", cancellationToken,
            "dht", "serve", "--listen", endpoint.ToString(), "--timeout", "3600");
        return new DhtBootstrapNode(process, endpoint);
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    public override string ToString() => EndPoint.ToString();

    internal static string Port(IPEndPoint endPoint) => endPoint.Port.ToString(CultureInfo.InvariantCulture);
}
