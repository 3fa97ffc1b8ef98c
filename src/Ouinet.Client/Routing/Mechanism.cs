namespace Ouinet.Client.Routing;

/// <summary>
/// The ways a client can answer a request (the spec's "Content access systems"). Their names on the wire, in
/// <c>X-Ouinet-Source</c>, are those of Ouinet C++.
/// </summary>
public enum Mechanism
{
    /// <summary>A fresh entry from the local store or a static cache.</summary>
    LocalCache,
    /// <summary>Straight to the origin server.</summary>
    Origin,
    /// <summary>The injector as a plain proxy: nothing signed, nothing cached.</summary>
    Proxy,
    /// <summary>The injector fetches, signs, and we verify and store.</summary>
    Injector,
    /// <summary>Other clients, found through the DHT.</summary>
    DistributedCache,
    /// <summary>A stored entry that is no longer fresh: the last resort.</summary>
    StaleCache,
}

public static class MechanismNames
{
    /// <summary>The <c>X-Ouinet-Source</c> value for answers from <paramref name="mechanism"/>.</summary>
    public static string Source(this Mechanism mechanism) => mechanism switch
    {
        Mechanism.LocalCache or Mechanism.StaleCache => "local-cache",
        Mechanism.Origin => "origin",
        Mechanism.Proxy => "proxy",
        Mechanism.Injector => "injector",
        Mechanism.DistributedCache => "dist-cache",
        _ => throw new ArgumentOutOfRangeException(nameof(mechanism)),
    };
}
