using System.Net;
using System.Net.Sockets;

namespace Ouinet.Injector.Origin;

/// <summary>
/// Turns an origin's host and port into the endpoints to try, in order. The default asks the system resolver; tests
/// point names such as <c>example.com</c> at local servers with their own.
/// </summary>
public interface IOriginResolver
{
    /// <summary>The endpoints for <paramref name="host"/> (a name, or an IP literal without brackets) and <paramref name="port"/>.</summary>
    ValueTask<IReadOnlyList<IPEndPoint>> ResolveAsync(string host, int port, CancellationToken cancellationToken);
}

/// <summary>The system resolver (<see cref="Dns.GetHostAddressesAsync(string, CancellationToken)"/>); IP literals are not looked up.</summary>
public sealed class SystemOriginResolver : IOriginResolver
{
    public static SystemOriginResolver Instance { get; } = new();

    public async ValueTask<IReadOnlyList<IPEndPoint>> ResolveAsync(string host, int port, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return [new IPEndPoint(literal, port)];
        }
        var addresses = await Dns.GetHostAddressesAsync(host, AddressFamily.Unspecified, cancellationToken);
        return [.. addresses.Select(a => new IPEndPoint(a, port))];
    }
}
