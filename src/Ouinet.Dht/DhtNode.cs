using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Ouinet.Dht.Engine;
using Ouinet.Dht.Lookups;
using Ouinet.Dht.Messages;
using Ouinet.Net;

namespace Ouinet.Dht;

/// <summary>
/// A Mainline DHT node (BEP 5, with BEP 42 IDs and BEP 43's read-only flag) on the shared UDP socket. It takes the
/// bencoded datagrams of a <see cref="UdpMultiplexer"/>, so uTP can have the rest on the same port. Create it before
/// the multiplexer starts, then <see cref="StartAsync"/>; dispose it to stop (its state is saved).
/// </summary>
/// <remarks>
/// All protocol work happens in one <see cref="DhtEngine"/> guarded by a lock: datagrams are copied off the
/// multiplexer's thread into a bounded queue (a flood is dropped there, not processed), and one loop feeds them to the
/// engine; sends go out through another bounded queue and loop; one timer wakes the engine when its next deadline
/// is due. Every loop is owned here and awaited on dispose.
/// </remarks>
public sealed partial class DhtNode : IAsyncDisposable
{
    private const int InboundQueueLength = 1024;
    private const int OutboundQueueLength = 4096;
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(10);

    private readonly DhtOptions _options;
    private readonly UdpMultiplexer _multiplexer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Channel<(byte[] Datagram, IPEndPoint From)> _inbound =
        Channel.CreateBounded<(byte[], IPEndPoint)>(new BoundedChannelOptions(InboundQueueLength) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly Channel<(byte[] Datagram, IPEndPoint To)> _outbound =
        Channel.CreateBounded<(byte[], IPEndPoint)>(new BoundedChannelOptions(OutboundQueueLength) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _bootstrapped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<DhtAnnouncement> _announcements = [];
    private readonly List<Task> _loops = [];
    private readonly Channel<bool> _saveRequests = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly SemaphoreSlim _saving = new(1, 1);
    private DhtEngine? _engine;
    private ITimer? _timer;
    private long _inboundDropped;
    private int _disposed;

    /// <summary>Registers on <paramref name="multiplexer"/>; call before the multiplexer's <see cref="UdpMultiplexer.Start"/>.</summary>
    public DhtNode(DhtOptions options, UdpMultiplexer multiplexer, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(multiplexer);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid DHT options: " + string.Join(" ", errors), nameof(options));
        }
        if (multiplexer.LocalEndPoint.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException("The DHT runs on IPv4 only (BEP 32 is not implemented).", nameof(multiplexer));
        }
        _options = options;
        _multiplexer = multiplexer;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<DhtNode>();
        multiplexer.Register(UdpMultiplexer.IsBencodedDictionary, OnDatagram);
    }

    /// <summary>Our node ID (it may change once, when BEP 42 gives us one for our external address).</summary>
    public NodeId Id
    {
        get
        {
            lock (_gate)
            {
                return Engine.Id;
            }
        }
    }

    public IPEndPoint LocalEndPoint => _multiplexer.LocalEndPoint;

    /// <summary>True once we only talk to 127.0.0.0/8 (a loopback-bound node, or <see cref="DhtOptions.LoopbackOnly"/>).</summary>
    public bool IsLoopbackOnly => _options.LoopbackOnly ?? IPAddress.IsLoopback(LocalEndPoint.Address);

    /// <summary>
    /// A peer announced itself to this node (info-hash, the peer's endpoint). Raised on the node's own thread: a
    /// handler must return quickly and must not call back into the node.
    /// </summary>
    public event Action<InfoHash, IPEndPoint>? PeerAnnounced;

    private DhtEngine Engine => _engine ?? throw new InvalidOperationException("Call StartAsync first.");

    /// <summary>
    /// Loads the saved ID and contacts, resolves the bootstrap nodes and starts joining the network in the
    /// background. It returns without waiting for the join: see <see cref="WaitForBootstrapAsync"/>.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (_engine is not null)
        {
            throw new InvalidOperationException("Already started.");
        }
        DhtState? saved = null;
        if (_options.RepositoryPath is { } repository)
        {
            (saved, var error) = await DhtState.LoadAsync(repository, cancellationToken);
            if (error is not null)
            {
                Log.LoadFailed(_logger, DhtState.PathIn(repository), error);
            }
        }
        var routers = IsLoopbackOnly || !_options.UseDefaultBootstrapRouters
            ? []
            : await ResolveAsync(DhtOptions.DefaultBootstrapRouters, cancellationToken);
        var extra = await ResolveAsync(_options.BootstrapNodes, cancellationToken);
        var host = new Host(this);
        var engine = new DhtEngine(_options, host, LocalEndPoint, _time, DhtRandom.Secure, _logger, saved?.NodeId);
        engine.PeerAnnounced += (infoHash, peer) => PeerAnnounced?.Invoke(new InfoHash(infoHash), peer);
        engine.BootstrapCompleted += ok =>
        {
            if (ok)
            {
                _bootstrapped.TrySetResult();
            }
        };
        engine.IdChanged += _ => RequestSave();
        _timer = _time.CreateTimer(_ => OnTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        lock (_gate)
        {
            _engine = engine;
            engine.Start(routers, extra, saved?.Nodes ?? []);
        }
        _loops.Add(Task.Run(ReceiveLoopAsync, CancellationToken.None));
        _loops.Add(Task.Run(SendLoopAsync, CancellationToken.None));
        _loops.Add(Task.Run(SaveLoopAsync, CancellationToken.None));
    }

    /// <summary>Completes when a bootstrap round has put nodes in the routing table.</summary>
    public Task WaitForBootstrapAsync(CancellationToken cancellationToken) => _bootstrapped.Task.WaitAsync(cancellationToken);

    /// <summary>
    /// Looks up peers of <paramref name="infoHash"/> (an iterative <c>get_peers</c>), yielding each new peer as soon as
    /// a node returns it. Ends when the lookup has converged on the closest nodes, or after
    /// <see cref="DhtOptions.LookupTimeout"/>; stopping the enumeration stops the lookup.
    /// </summary>
    public async IAsyncEnumerable<IPEndPoint> GetPeersAsync(InfoHash infoHash, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var peers = Channel.CreateUnbounded<IPEndPoint>(new UnboundedChannelOptions { SingleReader = true });
        Lookup lookup;
        lock (_gate)
        {
            lookup = Engine.StartLookup(LookupKind.GetPeers, infoHash.Key, (_, peer) => peers.Writer.TryWrite(peer), _ => peers.Writer.TryComplete());
        }
        try
        {
            await foreach (var peer in peers.Reader.ReadAllAsync(cancellationToken))
            {
                yield return peer;
            }
        }
        finally
        {
            lock (_gate)
            {
                if (!lookup.IsFinished)
                {
                    Engine.Cancel(lookup);
                }
            }
        }
    }

    /// <summary>
    /// Announces that we are a peer of <paramref name="infoHash"/> to the k closest nodes: on <paramref name="port"/>,
    /// or with <c>implied_port</c> (our UDP port, where uTP listens on the shared socket) when it is null.
    /// </summary>
    public async Task<DhtAnnounceResult> AnnounceAsync(InfoHash infoHash, int? port, CancellationToken cancellationToken)
    {
        if (port is not null)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(port.Value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(port.Value, ushort.MaxValue);
        }
        var done = new TaskCompletionSource<DhtAnnounceResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var peers = new List<IPEndPoint>();
        AnnounceOperation operation;
        lock (_gate)
        {
            operation = Engine.StartAnnounce(infoHash.Key, port, (_, peer) => peers.Add(peer), op =>
                done.TrySetResult(new DhtAnnounceResult(op.Sent, op.Accepted, [.. peers])));
        }
        await using var registration = cancellationToken.Register(() =>
        {
            lock (_gate)
            {
                operation.Cancel();
            }
            done.TrySetCanceled(cancellationToken);
        });
        return await done.Task;
    }

    /// <summary>
    /// Keeps <paramref name="infoHash"/> announced until the returned handle is disposed (or the node is): announces
    /// as soon as the node has joined, then every <see cref="DhtOptions.AnnounceInterval"/>, sooner after a failure.
    /// </summary>
    /// <param name="infoHash">The swarm to stay in.</param>
    /// <param name="port">The port to announce, or null for <c>implied_port</c>.</param>
    /// <param name="announced">Called after each announce (on a pool thread), from the first one on.</param>
    public DhtAnnouncement KeepAnnounced(InfoHash infoHash, int? port = null, Action<DhtAnnounceResult>? announced = null)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        _ = Engine;
        var announcement = new DhtAnnouncement(this, infoHash, port, announced, _options, _time, _logger, _stop.Token);
        lock (_announcements)
        {
            _announcements.Add(announcement);
        }
        return announcement;
    }

    internal void Forget(DhtAnnouncement announcement)
    {
        lock (_announcements)
        {
            _announcements.Remove(announcement);
        }
    }

    /// <summary>An iterative <c>find_node</c>: the closest nodes to <paramref name="target"/> that answered.</summary>
    public async Task<IReadOnlyList<NodeInfo>> FindNodesAsync(NodeId target, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<IReadOnlyList<NodeInfo>>(TaskCreationOptions.RunContinuationsAsynchronously);
        Lookup lookup;
        lock (_gate)
        {
            lookup = Engine.StartLookup(LookupKind.FindNode, target, null, l =>
                done.TrySetResult([.. l.ClosestResponded(_options.BucketSize).Select(n => n.Node)]));
        }
        await using var registration = cancellationToken.Register(() =>
        {
            lock (_gate)
            {
                Engine.Cancel(lookup);
            }
            done.TrySetCanceled(cancellationToken);
        });
        return await done.Task;
    }

    /// <summary>Pings <paramref name="endPoint"/>: its node ID, or null if it did not answer in time.</summary>
    public async Task<NodeId?> PingAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var done = new TaskCompletionSource<NodeId?>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            Engine.Ping(endPoint, id => done.TrySetResult(id));
        }
        return await done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Adds a bootstrap node at run time (as Ouinet's front-end can) and bootstraps again.</summary>
    public void AddBootstrapNode(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        lock (_gate)
        {
            Engine.AddBootstrapNode(endPoint);
        }
    }

    /// <summary>Runs <paramref name="action"/> on the engine under its lock: for tests and benchmarks that set up state directly.</summary>
    internal T WithEngine<T>(Func<DhtEngine, T> action)
    {
        lock (_gate)
        {
            return action(Engine);
        }
    }

    public DhtStats GetStats()
    {
        lock (_gate)
        {
            return Engine.GetStats() with { InboundDropped = Interlocked.Read(ref _inboundDropped) };
        }
    }

    /// <summary>Saves the node ID and good contacts to the repository (no-op without one).</summary>
    public async Task SaveStateAsync(CancellationToken cancellationToken)
    {
        if (_options.RepositoryPath is not { } repository || _engine is null)
        {
            return;
        }
        DhtState state;
        lock (_gate)
        {
            state = new DhtState(_engine.Id, _engine.GetContactsToSave(DhtState.MaxNodes));
        }
        await _saving.WaitAsync(cancellationToken);
        try
        {
            await state.SaveAsync(repository, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.SaveFailed(_logger, DhtState.PathIn(repository), e);
        }
        finally
        {
            _saving.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        DhtAnnouncement[] announcements;
        lock (_announcements)
        {
            announcements = [.. _announcements];
        }
        foreach (var announcement in announcements)
        {
            await announcement.DisposeAsync();
        }
        await _stop.CancelAsync();
        _inbound.Writer.TryComplete();
        _outbound.Writer.TryComplete();
        if (_timer is not null)
        {
            await _timer.DisposeAsync();
        }
        await Task.WhenAll(_loops);
        await SaveStateAsync(CancellationToken.None);
        _stop.Dispose();
        _saving.Dispose();
    }
}
