using System.Net;
using System.Net.Sockets;
using Ouinet.Injector.Origin;

namespace Ouinet.Client.Tests.Support;

/// <summary>
/// Names the tests use instead of DNS. Both the client and the injector reach <c>origin.test</c> (the test origin on
/// 127.0.0.1); <c>example.com</c> is the "blocked" origin: the injector reaches it, the client only finds 127.0.0.2
/// where nothing listens (connection refused). The test origin's certificate covers both names.
/// </summary>
internal sealed class MapResolver(IReadOnlyDictionary<string, IPAddress> map) : IOriginResolver
{
    public const string Reachable = "origin.test";
    public const string Blocked = "example.com";

    public static MapResolver ForClient { get; } = new(new Dictionary<string, IPAddress>
    {
        [Reachable] = IPAddress.Loopback,
        [Blocked] = IPAddress.Parse("127.0.0.2"),
    });

    public static MapResolver ForInjector { get; } = new(new Dictionary<string, IPAddress>
    {
        [Reachable] = IPAddress.Loopback,
        [Blocked] = IPAddress.Loopback,
    });

    public ValueTask<IReadOnlyList<IPEndPoint>> ResolveAsync(string host, int port, CancellationToken cancellationToken)
    {
        if (map.TryGetValue(host, out var address) || IPAddress.TryParse(host, out address))
        {
            return ValueTask.FromResult<IReadOnlyList<IPEndPoint>>([new IPEndPoint(address, port)]);
        }
        throw new SocketException((int)SocketError.HostNotFound);
    }
}
