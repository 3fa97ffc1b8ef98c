using System.Net;
using Ouinet.Dht.Lookups;
using Ouinet.Dht.Messages;
using Ouinet.Dht.Routing;

namespace Ouinet.Dht.Engine;

internal sealed partial class DhtEngine : IQueryOwner
{
    private const long HousekeepingIntervalMs = 60_000;
    private const long MinBootstrapRetryMs = 10_000;
    private const long MaxBootstrapRetryMs = 300_000;

    private readonly HashSet<IPEndPoint> _routers = [];
    private readonly List<IPEndPoint> _bootstrapNodes = [];
    private readonly List<NodeInfo> _savedContacts = [];
    private long _nextMaintenanceMs;
    private long _nextHousekeepingMs;
    private long _nextBootstrapMs = long.MaxValue;
    private long _bootstrapBackoffMs = MinBootstrapRetryMs;
    private Lookup? _bootstrapLookup;
    private Lookup? _refreshLookup;
    private const long SparseRefreshStartMs = 60_000;
    private const int BootstrapAnswersNeeded = 5;

    /// <summary>
    /// Joins the network: <paramref name="routers"/> are asked for nodes but never enter the routing table (as
    /// libtorrent treats <c>dht_bootstrap_nodes</c>); <paramref name="nodes"/> (extra bootstrap nodes) and
    /// <paramref name="saved"/> contacts from a previous run are ordinary nodes.
    /// </summary>
    public void Start(IEnumerable<IPEndPoint> routers, IEnumerable<IPEndPoint> nodes, IEnumerable<NodeInfo> saved)
    {
        foreach (var router in routers)
        {
            _routers.Add(router);
            _bootstrapNodes.Add(router);
        }
        _bootstrapNodes.AddRange(nodes.Where(n => !_bootstrapNodes.Contains(n)));
        _savedContacts.AddRange(saved);
        StartBootstrap(NowMs);
        EnsureWake();
    }

    /// <summary>Adds a node to bootstrap from (as <c>bt-bootstrap-extra</c> does at run time) and bootstraps again.</summary>
    public void AddBootstrapNode(IPEndPoint node)
    {
        if (!_bootstrapNodes.Contains(node))
        {
            _bootstrapNodes.Add(node);
        }
        StartBootstrap(NowMs);
        EnsureWake();
    }

    private void StartBootstrap(long now)
    {
        if (_bootstrapLookup is not null)
        {
            return;
        }
        _nextBootstrapMs = long.MaxValue;
        var lookup = new Lookup(this, LookupKind.FindNode, Id, now) { Finished = OnBootstrapFinished };
        SeedLookup(lookup);
        foreach (var contact in _savedContacts)
        {
            lookup.AddCandidate(contact.Id, contact.EndPoint);
        }
        foreach (var node in _bootstrapNodes)
        {
            lookup.AddSeed(node);
        }
        // Nodes that queried us while we knew nobody are as good a start as any router.
        foreach (var bucket in Table.Buckets)
        {
            foreach (var candidate in bucket.Replacements)
            {
                lookup.AddCandidate(candidate.Id, candidate.EndPoint);
            }
        }
        _bootstrapLookup = lookup;
        _lookups.Add(lookup);
        _timers.Enqueue(new TimerItem(lookup, TimerKind.LookupDeadline), now + (long)_options.LookupTimeout.TotalMilliseconds);
        lookup.Start();
    }

    private void OnBootstrapFinished(Lookup lookup)
    {
        _bootstrapLookup = null;
        var now = NowMs;
        // After Ouinet: a bootstrap node's answer settles it; otherwise we need 5 answers (or all our saved contacts, if
        // fewer). One stray node that happened to query us is not the network: joining through it alone could leave
        // us on an island with whoever else joins through us.
        var others = lookup.Responses - lookup.SeedsAnswered;
        var ok = Table.Count > 0 && (lookup.SeedsAnswered > 0
            || others >= (_savedContacts.Count > 0 ? Math.Min(BootstrapAnswersNeeded, _savedContacts.Count) : BootstrapAnswersNeeded)
            || (_bootstrapNodes.Count == 0 && _savedContacts.Count == 0));
        if (ok)
        {
            _bootstrapBackoffMs = MinBootstrapRetryMs;
            _savedContacts.Clear();
            if (!IsBootstrapped)
            {
                IsBootstrapped = true;
                Log.Bootstrapped(_logger, Table.Count, lookup.QueriesSent);
            }
            StartRefresh(now);
        }
        else
        {
            // Nobody answered: try again later, backing off to spare the routers (Ouinet retries every 10 s).
            IsBootstrapped = false;
            _nextBootstrapMs = now + _bootstrapBackoffMs;
            _bootstrapBackoffMs = Math.Min(_bootstrapBackoffMs * 2, MaxBootstrapRetryMs);
            Log.BootstrapFailed(_logger, _bootstrapNodes.Count + _savedContacts.Count);
        }
        BootstrapCompleted?.Invoke(ok);
    }

    private void Maintain(long now)
    {
        _tokens.Rotate(now);
        if (now >= _nextHousekeepingMs)
        {
            _nextHousekeepingMs = now + HousekeepingIntervalMs;
            _peerStore.Expire(now);
            _rateLimiter.Prune(now);
        }
        if (now >= _nextBootstrapMs)
        {
            StartBootstrap(now);
        }
        if (!IsBootstrapped)
        {
            PingForUpkeep(now);
            return;
        }
        if (Table.Contacts.All(c => Table.StateOf(c, now) == NodeState.Bad))
        {
            // Everyone we knew is gone (we were offline?): join again from scratch.
            IsBootstrapped = false;
            StartBootstrap(now);
            return;
        }
        PingForUpkeep(now);
        StartRefresh(now);
    }

    /// <summary>
    /// BEP 5 upkeep within a small budget of pings: a questionable node is pinged when a replacement waits for its
    /// slot, a candidate is pinged when its bucket has room, and otherwise the stalest questionable node.
    /// </summary>
    private void PingForUpkeep(long now)
    {
        var budget = _options.MaintenancePingsPerRun;
        Contact? stalest = null;
        var buckets = Table.Buckets;
        for (var i = 0; i < buckets.Count; i++)
        {
            var bucket = buckets[i];
            // The last bucket splits when full, so a candidate for it always has a place: worth proving.
            var hasRoom = bucket.Nodes.Count < Table.BucketSize || (i == buckets.Count - 1 && buckets.Count < NodeId.Bits);
            if (budget == 0)
            {
                return;
            }
            Contact? questionable = null;
            foreach (var node in bucket.Nodes)
            {
                if (!node.PingPending && Table.StateOf(node, now) == NodeState.Questionable && (questionable is null || node.LastSeenMs < questionable.LastSeenMs))
                {
                    questionable = node;
                }
            }
            if (questionable is not null && (stalest is null || questionable.LastSeenMs < stalest.LastSeenMs))
            {
                stalest = questionable;
            }
            if (!hasRoom && bucket.Replacements.Count > 0 && questionable is not null)
            {
                budget -= PingContact(questionable) ? 1 : 0;
            }
            else if (hasRoom)
            {
                var candidate = bucket.Replacements.LastOrDefault(r => !r.PingPending && !r.HasResponded);
                if (candidate is not null)
                {
                    budget -= PingContact(candidate) ? 1 : 0;
                }
            }
        }
        if (budget > 0 && stalest is { PingPending: false })
        {
            PingContact(stalest);
        }
    }

    private bool PingContact(Contact contact)
    {
        if (SendQuery(contact.EndPoint, contact.Id, KrpcMethod.Ping, this, contact, slow: false, out _, retries: 1) != SendResult.Sent)
        {
            return false;
        }
        contact.PingPending = true;
        return true;
    }

    /// <summary>
    /// One refresh lookup at a time (BEP 5): a bucket unchanged for <see cref="DhtOptions.NodeFreshness"/> (15 minutes),
    /// and a bucket that is not full after <see cref="Routing.Bucket.SparseRefreshIntervalMs"/>, which starts short
    /// so that a new node — or one that joined when the network was small — fills its table within minutes.
    /// </summary>
    private void StartRefresh(long now)
    {
        if (_refreshLookup is not null || _bootstrapLookup is not null)
        {
            return;
        }
        var stale = (long)_options.NodeFreshness.TotalMilliseconds;
        var buckets = Table.Buckets;
        for (var i = 0; i < buckets.Count; i++)
        {
            var bucket = buckets[i];
            var sparse = bucket.Nodes.Count < Table.BucketSize;
            var due = now - bucket.LastChangedMs >= stale
                || (sparse && (bucket.LastRefreshMs < 0 || now - bucket.LastRefreshMs >= bucket.SparseRefreshIntervalMs));
            if (!due)
            {
                continue;
            }
            bucket.SparseRefreshIntervalMs = !sparse ? SparseRefreshStartMs
                : bucket.LastRefreshMs < 0 ? SparseRefreshStartMs
                : Math.Min(stale, Math.Max(SparseRefreshStartMs, bucket.SparseRefreshIntervalMs * 2));
            bucket.LastRefreshMs = now;
            bucket.LastChangedMs = now;
            Span<byte> random = stackalloc byte[NodeId.Size];
            Random.Fill(random);
            // A target inside bucket i: our first i bits, then a different bit (the last bucket: a longer shared prefix).
            var target = Id.WithRandomSuffix(i == buckets.Count - 1 ? Math.Min(i + 1, NodeId.Bits) : i, random);
            var lookup = new Lookup(this, LookupKind.FindNode, target, now) { Finished = OnRefreshFinished };
            SeedLookup(lookup);
            _refreshLookup = lookup;
            _lookups.Add(lookup);
            _timers.Enqueue(new TimerItem(lookup, TimerKind.LookupDeadline), now + (long)_options.LookupTimeout.TotalMilliseconds);
            lookup.Start();
            return;
        }
    }

    private void OnRefreshFinished(Lookup lookup)
    {
        _refreshLookup = null;
        // Refreshes due now run back to back, so a new node fills its table in seconds rather than one bucket per upkeep run.
        StartRefresh(NowMs);
    }

    /// <summary>Gives a lookup its first candidates: the closest nodes we know, and routers if we know too few.</summary>
    private void SeedLookup(Lookup lookup)
    {
        var closest = Table.Closest(lookup.Target, 2 * _options.BucketSize, confirmedOnly: false);
        foreach (var contact in closest)
        {
            lookup.AddCandidate(contact.Id, contact.EndPoint);
        }
        if (closest.Count < _options.Alpha)
        {
            // Too few nodes to start from (still joining, or everyone left): ask the bootstrap nodes too, as libtorrent does.
            foreach (var node in _bootstrapNodes)
            {
                lookup.AddSeed(node);
            }
        }
    }

    // Upkeep pings report here.
    void IQueryOwner.OnResponse(PendingQuery query, KrpcMessage response) => ((Contact)query.State!).PingPending = false;

    void IQueryOwner.OnSlow(PendingQuery query)
    {
    }

    void IQueryOwner.OnFailure(PendingQuery query, QueryFailure failure, KrpcMessage? reply) => ((Contact)query.State!).PingPending = false;

    /// <summary>Good nodes worth saving for a fast restart, freshest first.</summary>
    public List<NodeInfo> GetContactsToSave(int max)
    {
        var now = NowMs;
        return [.. Table.Contacts
            .Where(c => Table.StateOf(c, now) != NodeState.Bad && c.HasResponded)
            .OrderByDescending(c => c.LastSeenMs)
            .Take(max)
            .Select(c => new NodeInfo(c.Id, c.EndPoint))];
    }

    public DhtStats GetStats()
    {
        var now = NowMs;
        int good = 0, questionable = 0, bad = 0;
        foreach (var contact in Table.Contacts)
        {
            switch (Table.StateOf(contact, now))
            {
                case NodeState.Good:
                    good++;
                    break;
                case NodeState.Questionable:
                    questionable++;
                    break;
                default:
                    bad++;
                    break;
            }
        }
        return new DhtStats
        {
            NodeId = Id,
            LocalEndPoint = LocalEndPoint,
            ExternalEndPoint = ExternalEndPoint,
            IsBootstrapped = IsBootstrapped,
            Nodes = Table.Count,
            GoodNodes = good,
            QuestionableNodes = questionable,
            BadNodes = bad,
            ReplacementNodes = Table.ReplacementCount,
            Buckets = Table.Buckets.Count,
            StoredSwarms = _peerStore.SwarmCount,
            StoredPeers = _peerStore.PeerCount,
            OutstandingQueries = _pending.Count,
            ActiveLookups = _lookups.Count,
            DatagramsSent = Counters.DatagramsSent,
            DatagramsReceived = Counters.DatagramsReceived,
            QueriesSent = Counters.QueriesSent,
            QueriesReceived = Counters.QueriesReceived,
            ResponsesReceived = Counters.ResponsesReceived,
            ErrorsReceived = Counters.ErrorsReceived,
            ErrorsSent = Counters.ErrorsSent,
            Timeouts = Counters.Timeouts,
            RateLimited = Counters.RateLimited,
            Malformed = Counters.Malformed,
            OwnIdIgnored = Counters.OwnIdIgnored,
            Refused = Counters.Refused,
        };
    }
}
