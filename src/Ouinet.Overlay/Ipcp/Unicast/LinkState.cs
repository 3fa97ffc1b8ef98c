using Ouinet.Overlay.Node;
using Ouinet.Overlay.Wire;

namespace Ouinet.Overlay.Ipcp.Unicast;

/// <summary>
/// Link-state routing: one LSA per adjacency, flooded over the management flows to every neighbour but the sender and
/// only when newer; every member holds the whole graph. Own LSAs are re-flooded every <c>ls_t_update</c>, others
/// expire after <c>ls_t_timeo</c>, and the forwarding table is recomputed (breadth-first, i.e. Dijkstra on hop count,
/// over links advertised by both ends) <c>ls_t_recalc</c> after a change. A lost adjacency is withdrawn at once
/// (our withdrawal bit), so reconvergence does not wait for <c>ls_t_timeo</c>.
/// </summary>
internal sealed class LinkState
{
    private readonly UnicastIpcp _ipcp;
    private readonly NodeContext _ctx;
    private readonly Dictionary<(ulong Source, ulong Destination), Entry> _db = [];
    private readonly NodeTimer _recalc;
    private readonly NodeTimer _update;
    private readonly NodeTimer _timeo;
    private ulong _seq;

    public LinkState(UnicastIpcp ipcp)
    {
        _ipcp = ipcp;
        _ctx = ipcp.Context;
        _recalc = _ctx.Timer(Recalculate);
        _update = _ctx.Timer(RefreshOwn);
        _timeo = _ctx.Timer(Expire);
    }

    private TimeSpan Recalc => TimeSpan.FromMilliseconds(_ipcp.LayerConfig.RecalcMilliseconds);

    private TimeSpan Update => TimeSpan.FromMilliseconds(_ipcp.LayerConfig.UpdateMilliseconds);

    private TimeSpan Timeo => TimeSpan.FromMilliseconds(_ipcp.LayerConfig.TimeoutMilliseconds);

    public int Count => _db.Count;

    public void Start()
    {
        _update.Arm(Update);
        _timeo.Arm(Timeo / 4);
    }

    public void Stop()
    {
        _recalc.Dispose();
        _update.Dispose();
        _timeo.Dispose();
    }

    /// <summary>Every address seen in the graph (the enrolment's collision check uses them).</summary>
    public IEnumerable<uint> KnownAddresses => _db.Keys.SelectMany(k => new[] { k.Source, k.Destination }).Distinct().Select(a => (uint)a);

    public void LinkUp(ulong neighbour) => Advertise(neighbour, withdrawn: false);

    public void LinkDown(ulong neighbour) => Advertise(neighbour, withdrawn: true);

    private void Advertise(ulong neighbour, bool withdrawn)
    {
        var lsa = new Lsa(neighbour, _ipcp.Address, ++_seq | (withdrawn ? Lsa.WithdrawnBit : 0));
        _db[(_ipcp.Address, neighbour)] = new Entry(lsa.Sequence, withdrawn, _ctx.Now);
        Flood(lsa, null);
        MarkDirty();
    }

    /// <summary>An LSA from a neighbour's management flow.</summary>
    public void OnLsa(Lsa lsa, Neighbour from)
    {
        if (lsa.SourceAddress == _ipcp.Address)
        {
            // Our own LSA coming back; a newer one is a former life of this address: jump past it.
            _seq = Math.Max(_seq, lsa.Sequence);
            return;
        }
        var key = (lsa.SourceAddress, lsa.DestinationAddress);
        if (_db.TryGetValue(key, out var known) && lsa.Sequence <= known.Seq)
        {
            return;
        }
        _db[key] = new Entry(lsa.Sequence, lsa.IsWithdrawal, _ctx.Now);
        Flood(lsa, from);
        MarkDirty();
    }

    /// <summary>A new management neighbour gets the whole database at once.</summary>
    public void SyncTo(Flow mgmt)
    {
        foreach (var ((s, d), e) in _db)
        {
            mgmt.TrySend(new LinkStateMessage(new Lsa(d, s, e.Seq | (e.Withdrawn ? Lsa.WithdrawnBit : 0))).ToArray());
        }
    }

    private void Flood(Lsa lsa, Neighbour? except)
    {
        var message = new LinkStateMessage(lsa).ToArray();
        foreach (var n in _ipcp.Neighbours)
        {
            if (n != except && n.Mgmt.Count > 0)
            {
                n.Mgmt[0].TrySend(message);
            }
        }
    }

    private void MarkDirty() => _recalc.ArmIfIdle(Recalc);

    private void RefreshOwn()
    {
        foreach (var ((s, d), e) in _db.ToList())
        {
            if (s == _ipcp.Address && !e.Withdrawn)
            {
                Advertise(d, withdrawn: false);
            }
        }
        _update.Arm(Update);
    }

    private void Expire()
    {
        var now = _ctx.Now;
        var removed = false;
        foreach (var (key, e) in _db.ToList())
        {
            if (key.Source != _ipcp.Address && now - e.Updated > Timeo)
            {
                _db.Remove(key);
                removed = true;
            }
            else if (key.Source == _ipcp.Address && e.Withdrawn && now - e.Updated > Timeo)
            {
                _db.Remove(key);
            }
        }
        if (removed)
        {
            MarkDirty();
        }
        _timeo.Arm(Timeo / 4);
    }

    /// <summary>Breadth-first from this member over links both ends advertise: next hop per destination.</summary>
    private void Recalculate()
    {
        var links = new Dictionary<ulong, List<ulong>>();
        foreach (var ((s, d), e) in _db)
        {
            if (!e.Withdrawn && _db.TryGetValue((d, s), out var back) && !back.Withdrawn)
            {
                if (!links.TryGetValue(s, out var list))
                {
                    links[s] = list = [];
                }
                list.Add(d);
            }
        }
        var nextHop = new Dictionary<uint, uint>();
        var queue = new Queue<ulong>();
        var self = (ulong)_ipcp.Address;
        var seen = new HashSet<ulong> { self };
        foreach (var n in (links.GetValueOrDefault(self) ?? []).Order())
        {
            if (seen.Add(n))
            {
                nextHop[(uint)n] = (uint)n;
                queue.Enqueue(n);
            }
        }
        while (queue.TryDequeue(out var at))
        {
            foreach (var n in (links.GetValueOrDefault(at) ?? []).Order())
            {
                if (seen.Add(n))
                {
                    nextHop[(uint)n] = nextHop[(uint)at];
                    queue.Enqueue(n);
                }
            }
        }
        _ipcp.SetForwarding(nextHop);
    }

    private readonly record struct Entry(ulong Seq, bool Withdrawn, TimeSpan Updated);
}
