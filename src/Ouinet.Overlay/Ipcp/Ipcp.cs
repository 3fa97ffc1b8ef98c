using Ouinet.Overlay.Configuration;
using Ouinet.Overlay.Node;

namespace Ouinet.Overlay.Ipcp;

/// <summary>
/// One IPC process: a member of one layer, in-process. The IRMd (<see cref="OverlayNode"/>) asks it whether its layer
/// knows a name hash (<see cref="QueryAsync"/>), allocates flows through it, and hands it the incoming ones.
/// </summary>
internal abstract class IpcpBase : IAsyncDisposable
{
    protected IpcpBase(OverlayNode node, IpcpConfig config, int rank)
    {
        Node = node;
        Config = config;
        Rank = rank;
    }

    public OverlayNode Node { get; }

    public IpcpConfig Config { get; }

    public string Name => Config.Name;

    public IpcpType Type => Config.Type;

    /// <summary>Position in the node's configuration: an IPCP allocates its N-1 flows only from IPCPs of lower rank.</summary>
    public int Rank { get; }

    /// <summary>The layer's name, once bootstrapped or enrolled.</summary>
    public string? Layer { get; protected set; }

    public bool Enrolled { get; protected set; }

    /// <summary>Ouroboros' order in which the IRMd asks IPCPs (<c>enum ipcp_type</c>): unicast before the shims.</summary>
    public int TypeOrder => Type == IpcpType.Unicast ? 1 : 6;

    internal NodeContext Context => Node.Context;

    /// <summary>The layer's hash of a name (MD5 for UDP layers, SHA3-256 for unicast layers).</summary>
    public abstract byte[] Hash(string name);

    /// <summary>Whether the layer can reach <paramref name="hash"/> (the directory: table or DHT).</summary>
    public abstract Task<bool> QueryAsync(byte[] hash, CancellationToken cancellationToken);

    /// <summary>Allocates a flow to <paramref name="hash"/>; throws <see cref="FlowException"/>.</summary>
    public abstract Task<IpcpFlow> AllocateAsync(byte[] hash, QosSpec qos, CancellationToken cancellationToken);

    /// <summary>Makes <paramref name="hash"/> reachable in the layer (under the lock).</summary>
    public abstract void Register(byte[] hash);

    public abstract void Unregister(byte[] hash);

    /// <summary>Bootstraps or enrols, then connects; runs as long as the IPCP does (an owned task).</summary>
    public abstract Task RunAsync(CancellationToken cancellationToken);

    /// <summary>What to show for this IPCP (address, neighbours, …).</summary>
    public abstract IReadOnlyDictionary<string, string> Describe();

    public abstract ValueTask DisposeAsync();

    public override string ToString() => $"{Type.ToString().ToLowerInvariant()}.{Name}";
}
