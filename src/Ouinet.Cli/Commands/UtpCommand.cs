using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Ouinet.Utp;

namespace Ouinet.Cli.Commands;

/// <summary>
/// <c>ouinet utp listen|connect IP:PORT</c>: netcat over uTP, for tests and for checking reachability. Standard input
/// goes into the connection and what arrives goes to standard output; it ends when both directions are closed and
/// prints one summary line (bytes each way, RTT, retransmissions) on standard error.
/// </summary>
internal static class UtpCommand
{
    public static Command Create() => new("utp", "uTP (BEP 29) diagnostics: copy standard input and output over one uTP connection, like netcat.")
    {
        Side("listen", "Accept one uTP connection on IP:PORT (port 0: any; the port is printed), then copy.", listen: true),
        Side("connect", "Connect over uTP to IP:PORT, then copy.", listen: false),
    };

    private static Command Side(string name, string description, bool listen)
    {
        var endPoint = new Argument<IPEndPoint>("IP:PORT")
        {
            Description = listen ? "Address and UDP port to listen on, e.g. 127.0.0.1:7000." : "The peer's address and UDP port, e.g. 127.0.0.1:7000.",
            CustomParser = result => ParseEndPoint(result, allowPortZero: listen),
        };
        var timeout = new Option<double>("--connect-timeout")
        {
            Description = "Seconds to wait for the peer (connect) or for a connection (listen; 0 = forever).",
            DefaultValueFactory = _ => listen ? 0 : 6,
        };
        var noLarge = new Option<bool>("--small-packets")
        {
            Description = "Never send packets over 1400 bytes, even to a loopback peer that accepts larger ones.",
        };
        var command = new Command(name, description) { endPoint, timeout, noLarge };
        command.SetAction((result, ct) => RunAsync(listen, result.GetRequiredValue(endPoint), result.GetValue(timeout), result.GetValue(noLarge),
            result.InvocationConfiguration.Error, ct));
        return command;
    }

    private static IPEndPoint? ParseEndPoint(ArgumentResult result, bool allowPortZero)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (IPEndPoint.TryParse(text, out var endPoint) && text.Contains(':', StringComparison.Ordinal) && (endPoint.Port > 0 || allowPortZero))
        {
            return endPoint;
        }
        result.AddError($"\"{text}\" is not IP:PORT (e.g. 127.0.0.1:7000 or [::1]:7000).");
        return null;
    }

    private static async Task<int> RunAsync(bool listen, IPEndPoint endPoint, double timeoutSeconds, bool smallPackets, TextWriter error, CancellationToken ct)
    {
        var options = new UtpSocketOptions
        {
            AcceptBacklog = listen ? 1 : 0,
            LoopbackPacketSize = smallPackets ? 1400 : new UtpSocketOptions().LoopbackPacketSize,
            ConnectTimeout = TimeSpan.FromSeconds(timeoutSeconds > 0 ? timeoutSeconds : 6),
        };
        var local = listen ? endPoint : new IPEndPoint(endPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        UtpSocket socket;
        try
        {
            socket = UtpSocket.Bind(local, options);
        }
        catch (SocketException e)
        {
            error.WriteLine($"utp: cannot bind {local}: {e.Message}");
            return 1;
        }
        await using (socket)
        {
            if (listen)
            {
                error.WriteLine($"utp: listening on {socket.LocalEndPoint}");
            }
            UtpStream stream;
            try
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                if (listen && timeoutSeconds > 0)
                {
                    wait.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds));
                }
                stream = listen ? await socket.AcceptAsync(wait.Token) : await socket.ConnectAsync(endPoint, wait.Token);
            }
            catch (UtpException e)
            {
                error.WriteLine($"utp: {e.Message}");
                return 1;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                error.WriteLine("utp: no connection came in time.");
                return 1;
            }
            error.WriteLine($"utp: connected {(listen ? "from" : "to")} {stream.RemoteEndPoint}");
            return await CopyAsync(stream, error, ct);
        }
    }

    /// <summary>Copies both ways at once; half-closes when standard input ends; returns when both directions are closed.</summary>
    private static async Task<int> CopyAsync(UtpStream stream, TextWriter error, CancellationToken ct)
    {
        await using var input = Console.OpenStandardInput();
        await using var output = Console.OpenStandardOutput();
        var outbound = Task.Run(async () =>
        {
            await input.CopyToAsync(stream, 64 * 1024, ct);
            stream.CompleteWrites();
            await stream.WritesClosed.WaitAsync(ct);
        }, ct);
        var inbound = Task.Run(async () =>
        {
            await stream.CopyToAsync(output, 64 * 1024, ct);
            await output.FlushAsync(ct);
        }, ct);
        var code = 0;
        try
        {
            await Task.WhenAll(outbound, inbound);
        }
        catch (UtpException e)
        {
            error.WriteLine($"utp: {e.Message}");
            code = 1;
        }
        catch (IOException e)
        {
            error.WriteLine($"utp: {e.Message}");
            stream.Abort();
            code = 1;
        }
        var s = stream.GetStatistics();
        error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"utp: sent {s.BytesSent} bytes, received {s.BytesReceived} bytes, rtt {s.SmoothedRtt.TotalMilliseconds:0.###} ms (min {s.MinRtt.TotalMilliseconds:0.###} ms), retransmissions {s.Retransmissions}, timeouts {s.Timeouts}, packet size {s.PacketSize}"));
        await stream.DisposeAsync();
        return code;
    }
}
