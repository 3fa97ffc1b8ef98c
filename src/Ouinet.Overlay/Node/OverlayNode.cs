using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Ouinet.Overlay.Configuration;
using Ouinet.Overlay.Ipcp;
using Ouinet.Overlay.Ipcp.Shim;
using Ouinet.Overlay.Ipcp.Unicast;
using Ouinet.Overlay.Node;

namespace Ouinet.Overlay;

/// <summary>An IPCP as the node shows it.</summary>
public sealed record IpcpStatus(string Name, IpcpType Type, string? Layer, bool Enrolled, IReadOnlyDictionary<string, string> Details);

/// <summary>
/// One overlay node, playing the IRMd: it creates its IPCPs from an <c>irmd.conf</c>-style configuration, keeps the
/// registry of names (<see cref="Bind"/>: served by this program; <see cref="Register"/>: reachable in a layer) and
/// brokers flows: <see cref="AllocAsync"/> asks its IPCPs, unicast first, which layer knows the name and allocates
/// over the first that does; incoming flows go to the acceptors bound to their name (round-robin or spillover).
/// </summary>
public sealed class OverlayNode : IAsyncDisposable
{
    private readonly List<IpcpBase> _ipcps = [];
    private readonly Dictionary<string, NameEntry> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<(IpcpBase, string), string> _registrations = [];
    private readonly HashSet<Flow> _flows = [];
    private readonly List<Task> _owned = [];
    private readonly CancellationTokenSource _stop = new();
    private int _started;
    private int _disposed;

    private OverlayNode(IrmdConfig config, OverlayNodeOptions options)
    {
        Config = config;
        Options = options;
        var factory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        Context = new NodeContext(options.TimeProvider, options.Seed is { } seed ? new Random(seed) : new Random(), factory.CreateLogger("Ouinet.Overlay"));
    }

    public IrmdConfig Config { get; }

    public OverlayNodeOptions Options { get; }

    internal NodeContext Context { get; }

    internal IReadOnlyList<IpcpBase> Ipcps => _ipcps;

    /// <summary>Cancelled when the node stops (for programs running on it).</summary>
    public CancellationToken Stopping => _stop.Token;

    public static OverlayNode Create(IrmdConfig config, OverlayNodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new OverlayNode(config, options ?? new OverlayNodeOptions());
    }

    /// <summary>Opens the shims' sockets, bootstraps or starts enrolling every IPCP, registers and binds the configured names.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The node was already started.");
        }
        var rank = 0;
        try
        {
            foreach (var c in Config.Ipcps)
            {
                IpcpBase ipcp = c.Type == IpcpType.Udp4
                    ? new Udp4Ipcp(this, c, rank++, Options.PortFactory(c.Endpoint!))
                    : new UnicastIpcp(this, c, rank++);
                lock (Context.Gate)
                {
                    _ipcps.Add(ipcp);
                }
            }
        }
        catch
        {
            foreach (var ipcp in _ipcps)
            {
                ipcp.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            throw;
        }
        foreach (var ipcp in _ipcps)
        {
            _owned.Add(ipcp.RunAsync(_stop.Token));
        }
        foreach (var ipcp in _ipcps)
        {
            foreach (var name in ipcp.Config.Register)
            {
                Register(name, ipcp.Name);
            }
        }
        foreach (var name in Config.Names)
        {
            foreach (var program in name.Programs)
            {
                var acceptor = Bind(name.Name, name.LoadBalance);
                _owned.Add(Tools.Programs.RunAsync(program, name.Args, acceptor, Options.ProgramOutput ?? TextWriter.Null, Context.Logger, _stop.Token));
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>Binds <paramref name="name"/> to this program: flows allocated to it come to the returned acceptor.</summary>
    public FlowAcceptor Bind(string name, LoadBalance loadBalance = LoadBalance.RoundRobin)
    {
        var acceptor = new FlowAcceptor(this, name, null);
        AddAcceptor(acceptor, loadBalance);
        return acceptor;
    }

    internal FlowAcceptor BindInternal(string name, Action<Flow> handler)
    {
        var acceptor = new FlowAcceptor(this, name, handler);
        AddAcceptor(acceptor, LoadBalance.RoundRobin);
        return acceptor;
    }

    private void AddAcceptor(FlowAcceptor acceptor, LoadBalance loadBalance)
    {
        lock (Context.Gate)
        {
            if (!_names.TryGetValue(acceptor.Name, out var entry))
            {
                _names[acceptor.Name] = entry = new NameEntry(loadBalance);
            }
            entry.Acceptors.Add(acceptor);
        }
    }

    internal void Unbind(FlowAcceptor acceptor)
    {
        lock (Context.Gate)
        {
            if (_names.TryGetValue(acceptor.Name, out var entry))
            {
                entry.Acceptors.Remove(acceptor);
            }
        }
    }

    /// <summary>Registers <paramref name="name"/> in a layer (by layer or IPCP name): the layer's directory then points at this node.</summary>
    public void Register(string name, string layer)
    {
        lock (Context.Gate)
        {
            var targets = _ipcps.Where(i => i.Name == layer || i.Layer == layer || i.Config.Bootstrap == layer).ToList();
            if (targets.Count == 0)
            {
                throw new ArgumentException($"No IPCP or layer named {layer}.", nameof(layer));
            }
            foreach (var ipcp in targets)
            {
                var hash = ipcp.Hash(name);
                _registrations[(ipcp, Convert.ToHexStringLower(hash))] = name;
                ipcp.Register(hash);
                Log.Registered(Context.Logger, name, ipcp.Layer ?? ipcp.Name, Convert.ToHexStringLower(hash)[..8]);
            }
        }
    }

    /// <summary>
    /// Allocates a flow to <paramref name="name"/> (<c>flow_alloc</c>): the first IPCP (unicast before the shims) whose
    /// layer knows the name carries it. Fails with <see cref="FlowException"/> (<see cref="OverlayError.Name"/>,
    /// <see cref="OverlayError.TimedOut"/>) or on cancellation.
    /// </summary>
    public Task<Flow> AllocAsync(string name, QosSpec qos, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return AsyncBoundary(AllocWithTimeoutAsync(name, qos, int.MaxValue, cancellationToken));
    }

    internal async Task<Flow> AllocWithTimeoutAsync(string name, QosSpec qos, int maxRank, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(Options.AllocTimeout, Context.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token, _stop.Token);
        try
        {
            return await AllocCoreAsync(name, qos, maxRank, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new FlowException(OverlayError.TimedOut, $"allocating a flow to {name} took longer than {Options.AllocTimeout.TotalSeconds:0.#} s");
        }
    }

    private async Task<Flow> AllocCoreAsync(string name, QosSpec qos, int maxRank, CancellationToken cancellationToken)
    {
        List<IpcpBase> candidates;
        lock (Context.Gate)
        {
            candidates = [.. _ipcps.Where(i => i.Enrolled && i.Rank < maxRank).OrderBy(i => i.TypeOrder).ThenBy(i => i.Rank)];
        }
        foreach (var ipcp in candidates)
        {
            var hash = ipcp.Hash(name);
            if (!await ipcp.QueryAsync(hash, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }
            var lower = await ipcp.AllocateAsync(hash, qos, cancellationToken).ConfigureAwait(false);
            lock (Context.Gate)
            {
                var flow = Track(new Flow(Context, lower, qos, name));
                Log.FlowAllocated(Context.Logger, name, lower.LayerName, qos.ToString());
                return flow;
            }
        }
        throw new FlowException(OverlayError.Name, $"no layer of this node knows {name}");
    }

    /// <summary>Whether some layer of this node can resolve <paramref name="name"/> now (directory lookups included).</summary>
    public async Task<bool> CanResolveAsync(string name, CancellationToken cancellationToken = default)
    {
        List<IpcpBase> candidates;
        lock (Context.Gate)
        {
            candidates = [.. _ipcps.Where(i => i.Enrolled)];
        }
        foreach (var ipcp in candidates)
        {
            if (await ipcp.QueryAsync(ipcp.Hash(name), cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Under the lock: an IPCP got a flow request for <paramref name="hash"/>; returns the accepted flow or null.</summary>
    internal Flow? OnFlowRequest(IpcpBase ipcp, byte[] hash, QosSpec qos, IpcpFlow lower)
    {
        if (!_registrations.TryGetValue((ipcp, Convert.ToHexStringLower(hash)), out var name) || !_names.TryGetValue(name, out var entry))
        {
            return null;
        }
        var acceptor = entry.Pick();
        if (acceptor is null)
        {
            return null;
        }
        var flow = Track(new Flow(Context, lower, qos, name));
        if (!acceptor.TryOffer(flow))
        {
            flow.Deallocate();
            return null;
        }
        Log.FlowAccepted(Context.Logger, name, lower.LayerName, qos.ToString());
        return flow;
    }

    private Flow Track(Flow flow)
    {
        _flows.Add(flow);
        flow.Deallocated = () => _flows.Remove(flow);
        flow.Owner = Own;
        return flow;
    }

    /// <summary>Each IPCP: type, layer, whether enrolled, and its details (address, neighbours, endpoint).</summary>
    public IReadOnlyList<IpcpStatus> GetStatus()
    {
        List<IpcpBase> ipcps;
        lock (Context.Gate)
        {
            ipcps = [.. _ipcps];
        }
        return [.. ipcps.Select(i => new IpcpStatus(i.Name, i.Type, i.Layer, i.Enrolled, i.Describe()))];
    }

    /// <summary>Runs an owned background task (awaited on dispose).</summary>
    internal void Own(Task task)
    {
        lock (Context.Gate)
        {
            // A long-lived node owns many short tasks (lingering flows): forget those already done.
            if (_owned.Count >= 64)
            {
                _owned.RemoveAll(t => t.IsCompleted);
            }
            _owned.Add(task);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        lock (Context.Gate)
        {
            foreach (var flow in _flows.ToList())
            {
                flow.Deallocate();
            }
        }
        Context.Stop();
        Task[] owned;
        lock (Context.Gate)
        {
            owned = [.. _owned];
        }
        foreach (var task in owned)
        {
            try
            {
                await task.ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Shutting down: every owned task is awaited; their failures were already logged.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
        foreach (var ipcp in _ipcps)
        {
            await ipcp.DisposeAsync().ConfigureAwait(false);
        }
        _stop.Dispose();
    }

    /// <summary>Completes the caller's task off the node's lock: internal continuations run inline, the application's must not.</summary>
    internal static Task<T> AsyncBoundary<T>(Task<T> inner)
    {
        var outer = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        inner.ContinueWith(
            t =>
            {
                if (t.IsFaulted)
                {
                    outer.TrySetException(t.Exception!.InnerExceptions);
                }
                else if (t.IsCanceled)
                {
                    outer.TrySetCanceled();
                }
                else
                {
                    outer.TrySetResult(t.Result);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return outer.Task;
    }

    private sealed class NameEntry(LoadBalance loadBalance)
    {
        private int _next;

        public List<FlowAcceptor> Acceptors { get; } = [];

        public FlowAcceptor? Pick()
        {
            if (Acceptors.Count == 0)
            {
                return null;
            }
            if (loadBalance == LoadBalance.Spillover)
            {
                return Acceptors.FirstOrDefault(a => a.Handler is not null || a.Queued < FlowAcceptor.Backlog);
            }
            for (var i = 0; i < Acceptors.Count; i++)
            {
                var a = Acceptors[(_next + i) % Acceptors.Count];
                if (a.Handler is not null || a.Queued < FlowAcceptor.Backlog)
                {
                    _next = (_next + i + 1) % Acceptors.Count;
                    return a;
                }
            }
            return null;
        }
    }
}
