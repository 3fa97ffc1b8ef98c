using System.Net;
using Microsoft.Extensions.Logging;
using Ouinet.Dht.Lookups;
using Ouinet.Dht.Messages;
using Ouinet.Dht.Routing;
using Ouinet.Dht.Storage;

namespace Ouinet.Dht.Engine;

/// <summary>
/// The whole DHT node as a single-threaded state machine: datagrams and timer ticks go in, datagrams and wake-up
/// requests come out through <see cref="IDhtHost"/>. It never blocks and never touches a socket or a clock other than
/// its <see cref="TimeProvider"/>, so <see cref="DhtNode"/> runs it on a real socket and the simulation runs ten
/// thousand of them on a virtual network, unchanged. Callers serialize all calls.
/// </summary>
internal sealed partial class DhtEngine
{
    private readonly DhtOptions _options;
    private readonly IDhtHost _host;
    private readonly TimeProvider _time;
    private readonly long _startTimestamp;
    private readonly ILogger _logger;
    private readonly Dictionary<(IPEndPoint, ushort), PendingQuery> _pending = [];
    private readonly PriorityQueue<TimerItem, long> _timers = new();
    private readonly List<Lookup> _lookups = [];
    private readonly TokenManager _tokens;
    private readonly PeerStore _peerStore;
    private readonly RateLimiter _rateLimiter;
    private readonly ExternalAddressVoter _voter = new();
    private readonly bool _fixedId;
    private readonly long _queryTimeoutMs;
    private ushort _nextTransactionId;
    private long _requestedWake = long.MaxValue;
    private bool _starved;
    private double _srttMs;
    private double _rttVarMs;
    private bool _hasRtt;

    public DhtEngine(DhtOptions options, IDhtHost host, IPEndPoint localEndPoint, TimeProvider time, DhtRandom random, ILogger logger, NodeId? savedId = null)
    {
        _options = options;
        _host = host;
        _time = time;
        _startTimestamp = time.GetTimestamp();
        _logger = logger;
        Random = random;
        LocalEndPoint = localEndPoint;
        Filter = AddressFilter.Create(options.LoopbackOnly ?? IPAddress.IsLoopback(localEndPoint.Address), options.AllowMartians);
        _fixedId = options.NodeId is not null;
        Id = options.NodeId ?? savedId ?? random.NextId();
        var now = NowMs;
        Table = NewTable(Id, now);
        _tokens = new TokenManager(random, options.TokenRotation, now);
        _peerStore = new PeerStore(options.MaxStoredSwarms, options.MaxPeersPerSwarm, options.PeerTimeToLive);
        _rateLimiter = new RateLimiter(options.QueriesPerSecondPerSource, options.QueryBurstPerSource, options.MaxRateLimitedSources);
        _queryTimeoutMs = (long)options.QueryTimeout.TotalMilliseconds;
        Span<byte> tid = stackalloc byte[2];
        random.Fill(tid);
        _nextTransactionId = (ushort)((tid[0] << 8) | tid[1]);
        _nextMaintenanceMs = now;
    }

    public DhtOptions Options => _options;

    public NodeId Id { get; private set; }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Our address as others see it (BEP 42 <c>ip</c>), once learned.</summary>
    public IPEndPoint? ExternalEndPoint => _voter.Current;

    public RoutingTable Table { get; private set; }

    public AddressFilter Filter { get; }

    public DhtRandom Random { get; }

    public DhtCounters Counters { get; } = new();

    public bool IsBootstrapped { get; private set; }

    public int OutstandingQueries => _pending.Count;

    public int ActiveLookups => _lookups.Count;

    /// <summary>Milliseconds since the engine was created, on its clock.</summary>
    public long NowMs => (long)_time.GetElapsedTime(_startTimestamp).TotalMilliseconds;

    /// <summary>A peer announced itself to us (info-hash, its endpoint).</summary>
    public event Action<NodeId, IPEndPoint>? PeerAnnounced;

    /// <summary>A bootstrap round ended; true when the routing table has nodes.</summary>
    public event Action<bool>? BootstrapCompleted;

    /// <summary>Our node ID changed (BEP 42, after learning our external address).</summary>
    public event Action<NodeId>? IdChanged;

    /// <summary>Our external endpoint (BEP 42 <c>ip</c>) was learned or changed.</summary>
    public event Action<IPEndPoint>? ExternalEndPointChanged;

    /// <summary>The adaptive slow timeout: round-trip estimate plus four deviations, within the configured bounds.</summary>
    public long SlowTimeoutMs
    {
        get
        {
            var min = (long)_options.MinSlowTimeout.TotalMilliseconds;
            var max = (long)_options.MaxSlowTimeout.TotalMilliseconds;
            return _hasRtt ? Math.Clamp((long)(_srttMs + (4 * _rttVarMs)), min, max) : Math.Clamp(1000, min, max);
        }
    }

    /// <summary>Handles one datagram from the network.</summary>
    public void OnDatagram(ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        Counters.DatagramsReceived++;
        var error = KrpcDecoder.TryDecode(datagram, out var message);
        if (message is null)
        {
            Counters.Malformed++;
            Log.Malformed(_logger, from, error);
            return;
        }
        if (!Filter.IsAllowed(from))
        {
            Counters.Refused++;
            return;
        }
        if (message.Type == KrpcMessageType.Query)
        {
            HandleQuery(message, error, from);
        }
        else
        {
            HandleReply(message, error, from);
        }
        EnsureWake();
    }

    /// <summary>Runs whatever timers are due: query timeouts, lookup deadlines, upkeep.</summary>
    public void OnTimer()
    {
        _requestedWake = long.MaxValue;
        var now = NowMs;
        while (_timers.TryPeek(out var item, out var due) && due <= now)
        {
            _timers.Dequeue();
            Fire(item, now);
        }
        if (now >= _nextMaintenanceMs)
        {
            _nextMaintenanceMs = now + (long)_options.MaintenanceInterval.TotalMilliseconds;
            Maintain(now);
        }
        EnsureWake();
    }

    /// <summary>Engine time of the next timer, for hosts that poll rather than being asked.</summary>
    public long NextDueMs => Math.Min(_nextMaintenanceMs, _timers.TryPeek(out _, out var due) ? due : long.MaxValue);

    /// <summary>Starts an iterative lookup towards <paramref name="target"/>.</summary>
    public Lookup StartLookup(LookupKind kind, NodeId target, Action<Lookup, IPEndPoint>? peerFound, Action<Lookup>? finished)
    {
        var lookup = new Lookup(this, kind, target, NowMs) { PeerFound = peerFound, Finished = finished };
        SeedLookup(lookup);
        _lookups.Add(lookup);
        _timers.Enqueue(new TimerItem(lookup, TimerKind.LookupDeadline), NowMs + (long)_options.LookupTimeout.TotalMilliseconds);
        lookup.Start();
        EnsureWake();
        return lookup;
    }

    /// <summary>Stops a lookup early (its late answers still feed the routing table).</summary>
    public void Cancel(Lookup lookup)
    {
        lookup.Cancel();
        EnsureWake();
    }

    /// <summary>A <c>get_peers</c> lookup, then <c>announce_peer</c> to the closest nodes that gave a token.</summary>
    public AnnounceOperation StartAnnounce(NodeId infoHash, int? port, Action<Lookup, IPEndPoint>? peerFound, Action<AnnounceOperation>? finished)
    {
        var operation = new AnnounceOperation(this, infoHash, port) { Finished = finished };
        operation.Start(peerFound);
        EnsureWake();
        return operation;
    }

    /// <summary>Pings an endpoint; the callback gets the responder's ID, or null.</summary>
    public void Ping(IPEndPoint endPoint, Action<NodeId?> done)
    {
        var owner = new CallbackOwner(done);
        if (SendQuery(endPoint, null, KrpcMethod.Ping, owner, null, slow: false, out _, retries: 1) != SendResult.Sent)
        {
            done(null);
        }
        EnsureWake();
    }

    internal void OnLookupFinished(Lookup lookup)
    {
        _lookups.Remove(lookup);
    }

    /// <summary>Called by lookups that found no free query slot: they are pumped again when one frees.</summary>
    internal void MarkStarved() => _starved = true;

    private void EnsureWake()
    {
        var next = NextDueMs;
        if (next < _requestedWake)
        {
            _requestedWake = next;
            _host.RequestWake(next);
        }
    }

    private void Fire(TimerItem item, long now)
    {
        switch (item.Kind)
        {
            case TimerKind.QuerySlow:
                var slow = (PendingQuery)item.Target;
                if (!slow.Done)
                {
                    slow.Owner?.OnSlow(slow);
                }
                break;
            case TimerKind.QueryTimeout:
                var query = (PendingQuery)item.Target;
                if (!query.Done && query.RetriesLeft > 0)
                {
                    // UDP loses datagrams: ask once more before calling the node unresponsive.
                    query.RetriesLeft--;
                    Transmit(query.Datagram, query.To);
                    _timers.Enqueue(new TimerItem(query, TimerKind.QueryTimeout), now + _queryTimeoutMs);
                }
                else if (!query.Done)
                {
                    query.Done = true;
                    _pending.Remove((query.To, query.TransactionId));
                    Counters.Timeouts++;
                    Table.OnFailed(query.ExpectedId, query.To, now);
                    query.Owner?.OnFailure(query, QueryFailure.Timeout, null);
                    PumpStarved();
                }
                break;
            case TimerKind.LookupDeadline:
                ((Lookup)item.Target).Expire();
                break;
        }
    }

    private RoutingTable NewTable(NodeId id, long now) =>
        new(id, _options.BucketSize, (long)_options.NodeFreshness.TotalMilliseconds, _options.FailuresBeforeBad, _options.PreferVerifiedNodeIds, now);

    private enum TimerKind : byte
    {
        QuerySlow,
        QueryTimeout,
        LookupDeadline,
    }

    private readonly record struct TimerItem(object Target, TimerKind Kind);

    private sealed class CallbackOwner(Action<NodeId?> done) : IQueryOwner
    {
        public void OnResponse(PendingQuery query, KrpcMessage response) => done(response.Id);

        public void OnSlow(PendingQuery query)
        {
        }

        public void OnFailure(PendingQuery query, QueryFailure failure, KrpcMessage? reply) => done(null);
    }
}
