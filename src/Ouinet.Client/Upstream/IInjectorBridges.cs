using System.Net;

namespace Ouinet.Client.Upstream;

/// <summary>
/// Other clients that relay to the injector (bridges, the DHT's <c>…/bridges</c> swarm): used by
/// <see cref="InjectorConnector"/> when the injector cannot be reached directly.
/// </summary>
public interface IInjectorBridges
{
    /// <summary>Bridges to try, the last one that worked first; ends when the lookup ends.</summary>
    IAsyncEnumerable<IPEndPoint> FindAsync(CancellationToken cancellationToken);

    /// <summary>A TLS connection to the injector ran through <paramref name="bridge"/>: try it first next time.</summary>
    void Worked(IPEndPoint bridge);

    /// <summary><paramref name="bridge"/> did not get us to the injector.</summary>
    void Failed(IPEndPoint bridge, string reason);

    /// <summary>What to call them in errors (the swarm).</summary>
    string Description { get; }
}
