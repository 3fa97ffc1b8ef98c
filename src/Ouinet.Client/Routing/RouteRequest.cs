using Ouinet.Client.Caching;
using Ouinet.Http;
using Ouinet.Injector;

namespace Ouinet.Client.Routing;

/// <summary>One browser request as the router sees it.</summary>
public sealed class RouteRequest
{
    /// <summary>The browser's request head (absolute-form target; hop-by-hop and Ouinet fields still in).</summary>
    public required HttpRequestHead Head { get; init; }

    /// <summary>The target split for an origin request.</summary>
    public required TargetUri Target { get; init; }

    /// <summary>The absolute URI without fragment, as the browser sent it.</summary>
    public required string Uri { get; init; }

    /// <summary>The canonical URI (the cache key and the injection target); null when the URI has no canonical form.</summary>
    public string? CanonicalUri { get; init; }

    /// <summary>The request body, held whole so that each mechanism can send it; null without one.</summary>
    public ReadOnlyMemory<byte>? Body { get; init; }

    public TargetKind Kind { get; init; }

    /// <summary>The stored entry for <see cref="CanonicalUri"/>, if any.</summary>
    public CacheHit? Hit { get; init; }

    /// <summary>The resource group recorded with a stored entry: <c>X-Ouinet-Group</c>, else the canonical URI.</summary>
    public string? Group { get; init; }

    /// <summary>Called on upstream progress (resets the browser-side idle timeout).</summary>
    public Action? OnProgress { get; init; }
}

/// <summary>A mechanism that could not produce a response head; the router goes on to the next one.</summary>
public sealed class MechanismFailedException : Exception
{
    public MechanismFailedException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    public MechanismFailedException()
        : this("The mechanism failed.")
    {
    }

    public MechanismFailedException(string message)
        : this(message, null)
    {
    }
}

/// <summary>One way of answering a request (see <see cref="Mechanism"/>).</summary>
public interface IMechanism
{
    Mechanism Kind { get; }

    /// <summary>
    /// Tries to get a response head for <paramref name="request"/>. Throws when it cannot (an <see cref="MechanismFailedException"/>,
    /// or the failure of the transport it uses); the router then tries the next mechanism.
    /// </summary>
    Task<Answer> TryAsync(RouteRequest request, CancellationToken cancellationToken);
}
