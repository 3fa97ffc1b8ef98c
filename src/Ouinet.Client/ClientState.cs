namespace Ouinet.Client;

/// <summary>The client's life cycle, with Ouinet's names (<c>state</c> in <c>/api/status</c>); "degraded" is reported by the front-end.</summary>
public enum ClientState
{
    Created,
    Starting,
    Started,
    Failed,
    Stopping,
    Stopped,
}

public static class ClientStateNames
{
    /// <summary>Ouinet's spelling: <c>created, starting, started, failed, stopping, stopped</c>.</summary>
    public static string Name(this ClientState state) => state switch
    {
        ClientState.Created => "created",
        ClientState.Starting => "starting",
        ClientState.Started => "started",
        ClientState.Failed => "failed",
        ClientState.Stopping => "stopping",
        _ => "stopped",
    };
}
