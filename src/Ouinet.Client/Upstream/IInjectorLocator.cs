using System.Net;

namespace Ouinet.Client.Upstream;

/// <summary>Finds the injector's uTP endpoints when no <c>injector-ep</c> names it (through the DHT's <c>…/injectors</c> swarm).</summary>
public interface IInjectorLocator
{
    /// <summary>Endpoints to try: the last one that worked first, then the lookup's in random order.</summary>
    IAsyncEnumerable<IPEndPoint> FindAsync(CancellationToken cancellationToken);

    /// <summary>Pinned TLS with <paramref name="endPoint"/> succeeded: it is the injector, tried first next time.</summary>
    void Worked(IPEndPoint endPoint);

    /// <summary><paramref name="endPoint"/> is not (or not now) the injector.</summary>
    void Failed(IPEndPoint endPoint, string reason);

    /// <summary>What to call it in logs (the swarm).</summary>
    string Description { get; }
}
