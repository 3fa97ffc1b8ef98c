using System.Net;
using System.Net.Sockets;
using Ouinet.Injector.Origin;

namespace Ouinet.Cli.Testbed;

/// <summary>
/// The testbed's only resolver: <c>*.test</c> and <c>localhost</c> names are 127.0.0.1, loopback literals are
/// themselves, and anything else fails — so nothing in the testbed talks beyond 127.0.0.0/8, whatever is asked of it.
/// </summary>
internal sealed class LoopbackResolver : IOriginResolver
{
    public static LoopbackResolver Instance { get; } = new();

    public ValueTask<IReadOnlyList<IPEndPoint>> ResolveAsync(string host, int port, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return IPAddress.IsLoopback(literal)
                ? ValueTask.FromResult<IReadOnlyList<IPEndPoint>>([new IPEndPoint(literal, port)])
                : ValueTask.FromException<IReadOnlyList<IPEndPoint>>(new SocketException((int)SocketError.AccessDenied, $"the testbed stays on 127.0.0.0/8: {host} is not reachable"));
        }
        var name = host.TrimEnd('.').ToLowerInvariant();
        if (name == "localhost" || name.EndsWith(".test", StringComparison.Ordinal) || name.EndsWith(".localhost", StringComparison.Ordinal))
        {
            return ValueTask.FromResult<IReadOnlyList<IPEndPoint>>([new IPEndPoint(IPAddress.Loopback, port)]);
        }
        return ValueTask.FromException<IReadOnlyList<IPEndPoint>>(new SocketException((int)SocketError.HostNotFound, $"the testbed stays on 127.0.0.0/8: {host} is not one of its names (*.test)"));
    }
}
