using Ouinet.Injector;
using Ouinet.Utp;

namespace Ouinet.Cli.Commands;

/// <summary>
/// The injector's <c>listen-on-utp-tls</c>: uTP connections on the injector's UDP socket (shared with its DHT node) become
/// byte streams the injector serves exactly as TCP connections, inside TLS with its certificate.
/// </summary>
internal sealed class UtpInjectorListener(UtpSocket socket) : IInjectorStreamListener
{
    public string Name => $"utp-tls:{socket.LocalEndPoint}";

    public bool Tls => true;

    public async ValueTask<IInjectorStream> AcceptAsync(CancellationToken cancellationToken) =>
        new UtpConnection(await socket.AcceptAsync(cancellationToken));

    private sealed class UtpConnection(UtpStream stream) : IInjectorStream
    {
        public Stream Stream => stream;

        public ValueTask CompleteWritesAsync()
        {
            stream.CompleteWrites();
            return ValueTask.CompletedTask;
        }
    }
}
