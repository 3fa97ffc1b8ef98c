using Microsoft.Extensions.Logging;

namespace Ouinet.Client;

/// <summary>
/// The settings a user changes while the client runs (from the front-end or an embedding app), Ouinet's persistent
/// options: which mechanisms are switched on, the log level and the log file. Each change takes effect for the next
/// request. Whoever keeps persistent options (the CLI's <c>ouinet-client.saved.conf</c>) listens to <see cref="Changed"/>.
/// </summary>
public sealed record ClientSwitchState(bool OriginAccess, bool ProxyAccess, bool InjectorAccess, bool DistributedCache, LogLevel LogLevel, bool LogFile)
{
    /// <summary>The switches as <paramref name="options"/> start them.</summary>
    public static ClientSwitchState From(ClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(!options.DisableOriginAccess, !options.DisableProxyAccess, !options.DisableInjectorAccess, !options.DisableDistributedCache, options.LogLevel, options.EnableLogFile);
    }
}

/// <summary>Holds the current <see cref="ClientSwitchState"/>; changes are atomic and announced once each.</summary>
public sealed class ClientSwitches(ClientSwitchState initial)
{
    private readonly Lock _lock = new();
    private ClientSwitchState _current = initial;

    public ClientSwitchState Current => Volatile.Read(ref _current);

    /// <summary>Raised after each change with the new state (on the changing thread, outside any lock).</summary>
    public event Action<ClientSwitchState>? Changed;

    /// <summary>Applies <paramref name="change"/>; returns the new state. No event when nothing changed.</summary>
    public ClientSwitchState Update(Func<ClientSwitchState, ClientSwitchState> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        ClientSwitchState before, after;
        lock (_lock)
        {
            before = _current;
            after = change(before);
            Volatile.Write(ref _current, after);
        }
        if (after != before)
        {
            Changed?.Invoke(after);
        }
        return after;
    }
}
