using System.Net;

namespace Ouinet.Dht.Routing;

/// <summary>
/// The BEP 5 routing table. It starts as one bucket over the whole keyspace; a full bucket is split in two only if
/// it holds our own ID, so the table is fine-grained near us and coarse far away. Bucket <c>i</c> holds nodes that
/// share exactly <c>i</c> leading bits with us, the last bucket all that share more.
/// </summary>
/// <remarks>
/// Only nodes that have answered one of our queries enter a bucket; nodes we merely heard of wait in the replacement
/// cache until a ping proves them. A full bucket takes a newcomer only in place of a bad node, or — BEP 42 — in place
/// of a node whose ID does not match its IP when the newcomer's does.
/// </remarks>
internal sealed class RoutingTable
{
    private readonly List<Bucket> _buckets;
    private readonly Dictionary<NodeId, Contact> _byId = [];
    private readonly Dictionary<IPEndPoint, Contact> _byEndPoint = [];

    public RoutingTable(NodeId self, int bucketSize, long goodForMs, int badAfterFailures, bool preferVerifiedIds, long nowMs)
    {
        Self = self;
        BucketSize = bucketSize;
        GoodForMs = goodForMs;
        BadAfterFailures = badAfterFailures;
        PreferVerifiedIds = preferVerifiedIds;
        _buckets = [new Bucket(nowMs)];
    }

    public NodeId Self { get; }

    public int BucketSize { get; }

    public long GoodForMs { get; }

    public int BadAfterFailures { get; }

    public bool PreferVerifiedIds { get; }

    public IReadOnlyList<Bucket> Buckets => _buckets;

    /// <summary>Nodes in buckets (not counting replacements).</summary>
    public int Count => _byId.Count;

    public int ReplacementCount => _buckets.Sum(b => b.Replacements.Count);

    public IEnumerable<Contact> Contacts => _byId.Values;

    public Contact? Find(NodeId id) => _byId.GetValueOrDefault(id);

    public Contact? Find(IPEndPoint endPoint) => _byEndPoint.GetValueOrDefault(endPoint);

    public int BucketIndexOf(NodeId id) => Math.Min(Self.CommonPrefixLength(id), _buckets.Count - 1);

    public Bucket BucketOf(NodeId id) => _buckets[BucketIndexOf(id)];

    public NodeState StateOf(Contact contact, long nowMs) => contact.GetState(nowMs, GoodForMs, BadAfterFailures);

    /// <summary>A node answered one of our queries: refresh it, or try to add it.</summary>
    public void OnResponded(NodeId id, IPEndPoint endPoint, bool idVerified, long nowMs)
    {
        if (id == Self)
        {
            return;
        }
        if (_byId.TryGetValue(id, out var known))
        {
            if (!known.EndPoint.Equals(endPoint))
            {
                // Same ID elsewhere: believe the move only if the old address stopped answering.
                if (StateOf(known, nowMs) == NodeState.Good || _byEndPoint.ContainsKey(endPoint))
                {
                    return;
                }
                _byEndPoint.Remove(known.EndPoint);
                known.EndPoint = endPoint;
                known.IdVerified = idVerified;
                _byEndPoint[endPoint] = known;
            }
            known.LastResponseMs = nowMs;
            known.FailedQueries = 0;
            BucketOf(id).LastChangedMs = nowMs;
            return;
        }
        // The endpoint now answers with another ID (a restart): the old entry is stale.
        if (_byEndPoint.TryGetValue(endPoint, out var previous))
        {
            Remove(previous);
        }
        var contact = TakeReplacement(id) ?? new Contact(id, endPoint, idVerified);
        contact.EndPoint = endPoint;
        contact.IdVerified = idVerified;
        contact.LastResponseMs = nowMs;
        contact.FailedQueries = 0;
        Insert(contact, nowMs);
    }

    /// <summary>
    /// A node sent us a query (not read-only): a known node stays good; an unknown one becomes a candidate, returned
    /// when its bucket has room so that the caller can prove it with a ping right away.
    /// </summary>
    public Contact? OnQueried(NodeId id, IPEndPoint endPoint, bool idVerified, long nowMs)
    {
        if (id == Self)
        {
            return null;
        }
        if (_byId.TryGetValue(id, out var known))
        {
            if (known.EndPoint.Equals(endPoint))
            {
                known.LastQueryMs = nowMs;
            }
            return null;
        }
        var candidate = AddCandidate(id, endPoint, idVerified, nowMs);
        return candidate is { PingPending: false, HasResponded: false } && HasRoomFor(id) ? candidate : null;
    }

    /// <summary>Whether a proven node with this ID would get a place (its bucket is not full, or would split).</summary>
    public bool HasRoomFor(NodeId id)
    {
        var index = BucketIndexOf(id);
        return _buckets[index].Nodes.Count < BucketSize || (index == _buckets.Count - 1 && _buckets.Count < NodeId.Bits);
    }

    /// <summary>
    /// We heard of a node in someone's <c>nodes</c>: keep it as a candidate when its bucket has room, to be pinged by
    /// maintenance. Nodes for full buckets are not worth the memory.
    /// </summary>
    public void OnHeardAbout(NodeId id, IPEndPoint endPoint, bool idVerified, long nowMs)
    {
        if (id == Self || _byId.ContainsKey(id))
        {
            return;
        }
        if (HasRoomFor(id))
        {
            AddCandidate(id, endPoint, idVerified, nowMs);
        }
    }

    /// <summary>A query to this endpoint went unanswered.</summary>
    public void OnFailed(NodeId? id, IPEndPoint endPoint, long nowMs)
    {
        var contact = id is { } i ? _byId.GetValueOrDefault(i) : _byEndPoint.GetValueOrDefault(endPoint);
        if (contact is null || !contact.EndPoint.Equals(endPoint))
        {
            if (id is { } candidate)
            {
                var bucket = BucketOf(candidate);
                bucket.Replacements.RemoveAll(r => r.Id == candidate && !r.HasResponded);
            }
            return;
        }
        contact.FailedQueries++;
        if (StateOf(contact, nowMs) == NodeState.Bad)
        {
            // Promote the freshest proven replacement, if any, in place of the bad node.
            var bucket = BucketOf(contact.Id);
            var replacement = BestReplacement(bucket, provenOnly: true);
            if (replacement is not null)
            {
                bucket.Replacements.Remove(replacement);
                Remove(contact);
                Add(bucket, replacement, nowMs);
            }
        }
    }

    /// <summary>A node answered with an error: it is alive, though it did not help.</summary>
    public void OnAlive(IPEndPoint endPoint)
    {
        if (_byEndPoint.TryGetValue(endPoint, out var contact))
        {
            contact.FailedQueries = 0;
        }
    }

    /// <summary>
    /// The <paramref name="count"/> nodes closest to <paramref name="target"/>. With <paramref name="confirmedOnly"/>,
    /// nodes with a recent failure are left out (what we hand to others must be nodes we believe alive).
    /// </summary>
    public List<Contact> Closest(NodeId target, int count, bool confirmedOnly, NodeId? exclude = null)
    {
        var best = new List<Contact>(count + 1);
        foreach (var contact in _byId.Values)
        {
            if ((confirmedOnly ? contact.FailedQueries > 0 : contact.FailedQueries >= BadAfterFailures) || contact.Id == exclude)
            {
                continue;
            }
            if (best.Count == count && target.CompareDistance(contact.Id, best[^1].Id) >= 0)
            {
                continue;
            }
            var at = best.Count;
            while (at > 0 && target.CompareDistance(contact.Id, best[at - 1].Id) < 0)
            {
                at--;
            }
            best.Insert(at, contact);
            if (best.Count > count)
            {
                best.RemoveAt(best.Count - 1);
            }
        }
        return best;
    }

    /// <summary>Removes a node (e.g. one that changed ID); its bucket may then take a replacement.</summary>
    public void Remove(Contact contact)
    {
        if (!_byId.Remove(contact.Id))
        {
            return;
        }
        _byEndPoint.Remove(contact.EndPoint);
        BucketOf(contact.Id).Nodes.Remove(contact);
    }

    private void Insert(Contact contact, long nowMs)
    {
        while (true)
        {
            var index = BucketIndexOf(contact.Id);
            var bucket = _buckets[index];
            if (bucket.Nodes.Count < BucketSize)
            {
                Add(bucket, contact, nowMs);
                return;
            }
            var bad = bucket.Nodes.Find(n => StateOf(n, nowMs) == NodeState.Bad);
            if (bad is not null)
            {
                Remove(bad);
                Add(bucket, contact, nowMs);
                return;
            }
            if (index == _buckets.Count - 1 && _buckets.Count < NodeId.Bits)
            {
                Split();
                continue;
            }
            if (PreferVerifiedIds && contact.IdVerified)
            {
                var unverified = bucket.Nodes.Find(n => !n.IdVerified);
                if (unverified is not null)
                {
                    Remove(unverified);
                    Add(bucket, contact, nowMs);
                    AddReplacement(bucket, unverified);
                    return;
                }
            }
            AddReplacement(bucket, contact);
            return;
        }
    }

    private void Add(Bucket bucket, Contact contact, long nowMs)
    {
        bucket.Nodes.Add(contact);
        bucket.LastChangedMs = nowMs;
        _byId[contact.Id] = contact;
        _byEndPoint[contact.EndPoint] = contact;
    }

    private Contact? AddCandidate(NodeId id, IPEndPoint endPoint, bool idVerified, long nowMs)
    {
        var bucket = BucketOf(id);
        var existing = bucket.Replacements.Find(r => r.Id == id);
        if (existing is not null)
        {
            existing.LastQueryMs = Math.Max(existing.LastQueryMs, nowMs);
            return existing;
        }
        var contact = new Contact(id, endPoint, idVerified);
        return AddReplacement(bucket, contact) ? contact : null;
    }

    private bool AddReplacement(Bucket bucket, Contact contact)
    {
        bucket.Replacements.RemoveAll(r => r.Id == contact.Id || r.EndPoint.Equals(contact.EndPoint));
        if (bucket.Replacements.Count >= BucketSize)
        {
            // Make room by dropping the least valuable: never-proven before proven, BEP 42-failing before passing, oldest first.
            var victim = bucket.Replacements
                .OrderBy(r => r.HasResponded)
                .ThenBy(r => PreferVerifiedIds && r.IdVerified)
                .First();
            if (Rank(victim) > Rank(contact))
            {
                return false;
            }
            bucket.Replacements.Remove(victim);
        }
        bucket.Replacements.Add(contact);
        return true;
    }

    private int Rank(Contact c) => (c.HasResponded ? 2 : 0) + (PreferVerifiedIds && c.IdVerified ? 1 : 0);

    /// <summary>The replacement to promote first: proven, then BEP 42-verified, then most recent.</summary>
    public Contact? BestReplacement(Bucket bucket, bool provenOnly)
    {
        Contact? best = null;
        for (var i = bucket.Replacements.Count - 1; i >= 0; i--)
        {
            var r = bucket.Replacements[i];
            if (provenOnly && !r.HasResponded)
            {
                continue;
            }
            if (best is null || Rank(r) > Rank(best))
            {
                best = r;
            }
        }
        return best;
    }

    private Contact? TakeReplacement(NodeId id)
    {
        var bucket = BucketOf(id);
        var index = bucket.Replacements.FindIndex(r => r.Id == id);
        if (index < 0)
        {
            return null;
        }
        var contact = bucket.Replacements[index];
        bucket.Replacements.RemoveAt(index);
        return contact;
    }

    private void Split()
    {
        var last = _buckets[^1];
        var depth = _buckets.Count - 1;
        var next = new Bucket(last.LastChangedMs) { LastRefreshMs = last.LastRefreshMs, SparseRefreshIntervalMs = last.SparseRefreshIntervalMs };
        _buckets.Add(next);
        Move(last.Nodes, next.Nodes);
        Move(last.Replacements, next.Replacements);

        void Move(List<Contact> from, List<Contact> to)
        {
            for (var i = from.Count - 1; i >= 0; i--)
            {
                if (Self.CommonPrefixLength(from[i].Id) > depth)
                {
                    to.Insert(0, from[i]);
                    from.RemoveAt(i);
                }
            }
        }
    }
}
