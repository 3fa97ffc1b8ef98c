using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Ouinet.Testing.Origins;

/// <summary>
/// A raw origin on a real loopback socket that runs a script per connection, for what Kestrel will not send: exact
/// bytes (the spec's example), invalid status lines, connections dropped at chosen points. Optional TLS.
/// </summary>
public sealed class ScriptedOrigin : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<Stream, CancellationToken, Task> _script;
    private readonly X509Certificate2? _certificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _connections;

    /// <param name="script">Runs once per accepted connection with its (TLS) stream; the connection closes after it.</param>
    /// <param name="certificate">When set, the origin speaks TLS with it.</param>
    public ScriptedOrigin(Func<Stream, CancellationToken, Task> script, X509Certificate2? certificate = null)
    {
        _script = script;
        _certificate = certificate;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>A script that reads one request head (up to the blank line) and then writes <paramref name="response"/> and closes.</summary>
    public static Func<Stream, CancellationToken, Task> Respond(byte[] response) => async (stream, ct) =>
    {
        await ReadHeadAsync(stream, ct);
        await stream.WriteAsync(response, ct);
        await stream.FlushAsync(ct);
    };

    /// <summary>Reads up to and including the first empty line.</summary>
    public static async Task ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var window = 0u;
        var one = new byte[1];
        while (window != 0x0d0a0d0a)
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                return;
            }
            window = (window << 8) | one[0];
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            Interlocked.Increment(ref _connections);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                Stream stream = client.GetStream();
                if (_certificate is not null)
                {
                    var tls = new SslStream(stream);
                    await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, _stop.Token);
                    stream = tls;
                }
                await using (stream)
                {
                    await _script(stream, _stop.Token);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
            {
            }
        }
    }
}
