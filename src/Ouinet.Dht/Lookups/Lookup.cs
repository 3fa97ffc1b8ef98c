using System.Net;
using Ouinet.Dht.Engine;
using Ouinet.Dht.Messages;

namespace Ouinet.Dht.Lookups;

internal enum LookupKind
{
    FindNode,
    GetPeers,
}

/// <summary>
/// An iterative Kademlia lookup (BEP 5): keep α queries in flight to the closest candidates not yet asked; each answer
/// brings closer nodes; stop when the k closest candidates that are still in the running have all answered.
/// </summary>
/// <remarks>
/// A query unanswered after the adaptive slow timeout stops counting against α and stops holding back the end of the
/// lookup (it drops out of the "k closest" until it answers): one dead node must not stall a lookup for the full
/// query timeout, which is what makes libtorrent's lookups end after 15 s when a node is gone.
/// <c>get_peers</c> lookups collect peers from every answer and the tokens of the closest nodes for announcing.
/// </remarks>
internal sealed class Lookup : IQueryOwner
{
    private const int MaxCandidatesPerK = 8;

    private readonly DhtEngine _engine;
    private readonly List<Candidate> _candidates = [];
    private readonly List<Candidate> _seeds = [];
    private readonly HashSet<IPEndPoint> _seen = [];
    private readonly HashSet<IPEndPoint> _peers = [];
    private readonly int _k;
    private readonly int _alpha;
    private readonly int _maxCandidates;
    private int _inFlight;
    private int _seedsPending;

    public Lookup(DhtEngine engine, LookupKind kind, NodeId target, long nowMs)
    {
        _engine = engine;
        Kind = kind;
        Target = target;
        StartedMs = nowMs;
        _k = engine.Options.BucketSize;
        _alpha = engine.Options.Alpha;
        _maxCandidates = MaxCandidatesPerK * _k;
    }

    public LookupKind Kind { get; }

    public NodeId Target { get; }

    public long StartedMs { get; }

    /// <summary>When the first peer arrived; -1 if none did.</summary>
    public long FirstPeerMs { get; private set; } = -1;

    public long FinishedMs { get; private set; } = -1;

    public bool IsFinished { get; private set; }

    /// <summary>Ended by <see cref="DhtOptions.LookupTimeout"/> rather than convergence.</summary>
    public bool TimedOut { get; private set; }

    public int QueriesSent { get; private set; }

    public int Responses { get; private set; }

    public int Failures { get; private set; }

    /// <summary>Seeds (endpoints of unknown ID, e.g. bootstrap nodes) that answered.</summary>
    public int SeedsAnswered { get; private set; }

    public IReadOnlyCollection<IPEndPoint> Peers => _peers;

    public Action<Lookup, IPEndPoint>? PeerFound { get; init; }

    public Action<Lookup>? Finished { get; init; }

    /// <summary>Adds a node whose ID we know.</summary>
    public void AddCandidate(NodeId id, IPEndPoint endPoint)
    {
        if (IsFinished || !_engine.IsUsableNode(id, endPoint) || !_seen.Add(endPoint))
        {
            return;
        }
        Insert(new Candidate(id, endPoint, idKnown: true));
    }

    /// <summary>Adds an endpoint whose ID we do not know (a bootstrap node): it is asked at the start.</summary>
    public void AddSeed(IPEndPoint endPoint)
    {
        if (IsFinished || !_engine.Filter.IsAllowed(endPoint) || !_seen.Add(endPoint))
        {
            return;
        }
        _seeds.Add(new Candidate(default, endPoint, idKnown: false));
    }

    public void Start()
    {
        foreach (var seed in _seeds)
        {
            if (Send(seed) == SendResult.Sent)
            {
                _seedsPending++;
            }
        }
        Pump();
    }

    /// <summary>Sends what can be sent, and ends the lookup when it has converged.</summary>
    public void Pump()
    {
        if (IsFinished)
        {
            return;
        }
        var considered = 0;
        var waiting = false;
        var slowPending = false;
        foreach (var c in _candidates.ToArray())
        {
            if (c.State == CandidateState.Slow)
            {
                slowPending = true;
                continue;
            }
            if (c.State == CandidateState.Failed)
            {
                continue;
            }
            if (considered == _k)
            {
                break;
            }
            considered++;
            if (c.State == CandidateState.InFlight)
            {
                waiting = true;
            }
            else if (c.State == CandidateState.Fresh)
            {
                if (_inFlight >= _alpha)
                {
                    waiting = true;
                    continue;
                }
                switch (Send(c))
                {
                    case SendResult.Sent:
                        waiting = true;
                        break;
                    case SendResult.Busy:
                        _engine.MarkStarved();
                        waiting = true;
                        break;
                    default:
                        c.State = CandidateState.Failed;
                        considered--;
                        break;
                }
            }
        }
        if (waiting || _seedsPending > 0)
        {
            return;
        }
        // The k closest live candidates have all answered — or there is nobody left to ask and nobody slow to wait for.
        if (considered >= _k || !slowPending)
        {
            Finish(timedOut: false);
        }
    }

    /// <summary>The closest nodes that answered, with the token each gave (for announcing).</summary>
    public List<(NodeInfo Node, byte[]? Token)> ClosestResponded(int count)
    {
        var result = new List<(NodeInfo, byte[]?)>(count);
        foreach (var c in _candidates)
        {
            if (c.State == CandidateState.Responded)
            {
                result.Add((new NodeInfo(c.Id, c.EndPoint), c.Token));
                if (result.Count == count)
                {
                    break;
                }
            }
        }
        return result;
    }

    internal IEnumerable<(NodeId Id, string State)> DebugCandidates() => _candidates.Select(c => (c.Id, c.State.ToString()));

    public void Cancel()
    {
        if (!IsFinished)
        {
            IsFinished = true;
            FinishedMs = _engine.NowMs;
            _engine.OnLookupFinished(this);
        }
    }

    /// <summary>The lookup's deadline passed.</summary>
    public void Expire()
    {
        if (!IsFinished)
        {
            Finish(timedOut: true);
        }
    }

    public void OnResponse(PendingQuery query, KrpcMessage response)
    {
        var c = (Candidate)query.State!;
        Settle(c);
        if (IsFinished)
        {
            return;
        }
        Responses++;
        var id = response.Id!.Value;
        if (!c.IdKnown)
        {
            // A seed told us who it is: it joins the candidates as an answered node.
            SeedsAnswered++;
            c.State = CandidateState.Failed;
            Insert(new Candidate(id, c.EndPoint, idKnown: true) { State = CandidateState.Responded, Token = response.Token });
        }
        else if (id != c.Id)
        {
            // Someone else answers at that address now: rank the answer by the real ID.
            c.State = CandidateState.Failed;
            if (_engine.IsUsableNode(id, c.EndPoint))
            {
                Insert(new Candidate(id, c.EndPoint, idKnown: true) { State = CandidateState.Responded, Token = response.Token });
            }
        }
        else
        {
            c.State = CandidateState.Responded;
            c.Token = response.Token;
        }
        if (Kind == LookupKind.GetPeers && response.Values is { } values)
        {
            foreach (var peer in values)
            {
                if (_engine.Filter.IsAllowed(peer) && _peers.Add(peer))
                {
                    if (FirstPeerMs < 0)
                    {
                        FirstPeerMs = _engine.NowMs;
                    }
                    PeerFound?.Invoke(this, peer);
                }
            }
        }
        if (response.Nodes is { } nodes)
        {
            var now = _engine.NowMs;
            foreach (var node in nodes)
            {
                AddCandidate(node.Id, node.EndPoint);
                if (_engine.IsUsableNode(node.Id, node.EndPoint))
                {
                    _engine.Table.OnHeardAbout(node.Id, node.EndPoint, _engine.IsIdVerified(node.Id, node.EndPoint.Address), now);
                }
            }
        }
        Pump();
    }

    public void OnSlow(PendingQuery query)
    {
        var c = (Candidate)query.State!;
        if (c.State == CandidateState.InFlight && c.IdKnown)
        {
            c.State = CandidateState.Slow;
            _inFlight--;
            Pump();
        }
    }

    public void OnFailure(PendingQuery query, QueryFailure failure, KrpcMessage? reply)
    {
        var c = (Candidate)query.State!;
        Settle(c);
        c.State = CandidateState.Failed;
        Failures++;
        Pump();
    }

    // A query of c's got its final answer (or none): it no longer counts as in flight.
    private void Settle(Candidate c)
    {
        if (!c.IdKnown)
        {
            _seedsPending--;
        }
        else if (c.State == CandidateState.InFlight)
        {
            _inFlight--;
        }
    }

    private SendResult Send(Candidate c)
    {
        var method = Kind == LookupKind.GetPeers ? KrpcMethod.GetPeers : KrpcMethod.FindNode;
        var result = _engine.SendQuery(
            c.EndPoint, c.IdKnown ? c.Id : null, method, this, c, slow: c.IdKnown, out _,
            target: method == KrpcMethod.FindNode ? Target : null,
            infoHash: method == KrpcMethod.GetPeers ? Target : null,
            retries: c.IdKnown ? 0 : 1); // a lookup moves on rather than insisting, except with bootstrap nodes
        if (result == SendResult.Sent)
        {
            QueriesSent++;
            c.State = CandidateState.InFlight;
            if (c.IdKnown)
            {
                _inFlight++;
            }
        }
        return result;
    }

    private void Insert(Candidate candidate)
    {
        // Binary search by distance to the target; the list stays sorted closest first.
        int lo = 0, hi = _candidates.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (Target.CompareDistance(_candidates[mid].Id, candidate.Id) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        if (lo >= _maxCandidates)
        {
            return;
        }
        _candidates.Insert(lo, candidate);
        if (_candidates.Count > _maxCandidates)
        {
            _candidates.RemoveAt(_candidates.Count - 1);
        }
    }

    private void Finish(bool timedOut)
    {
        IsFinished = true;
        TimedOut = timedOut;
        FinishedMs = _engine.NowMs;
        _engine.OnLookupFinished(this);
        Finished?.Invoke(this);
    }

    private enum CandidateState : byte
    {
        Fresh,
        InFlight,
        Slow,
        Responded,
        Failed,
    }

    private sealed class Candidate(NodeId id, IPEndPoint endPoint, bool idKnown)
    {
        public NodeId Id { get; } = id;

        public IPEndPoint EndPoint { get; } = endPoint;

        public bool IdKnown { get; } = idKnown;

        public CandidateState State { get; set; }

        public byte[]? Token { get; set; }
    }
}
