using System.Net;

namespace Ouinet.Client.Upstream;

/// <summary>Finds the injector's uTP endpoint when no <c>injector-ep</c> names it (through the DHT's <c>…/injectors</c> swarm).</summary>
public interface IInjectorLocator
{
    /// <summary>An endpoint to try; throws <see cref="InjectorUnreachableException"/> when none is known or found.</summary>
    Task<IPEndPoint> LocateAsync(CancellationToken cancellationToken);

    /// <summary><paramref name="endPoint"/> could not be reached: look again next time.</summary>
    void Failed(IPEndPoint endPoint);

    /// <summary>What to call it in logs (the swarm).</summary>
    string Description { get; }
}
