using System.Net;
using Ouinet.Dht.Messages;

namespace Ouinet.Dht.Engine;

/// <summary>Outcome of trying to send a query.</summary>
internal enum SendResult
{
    Sent,

    /// <summary>Too many queries in flight; try again when one finishes.</summary>
    Busy,

    /// <summary>The address filter refuses the destination (or it is us).</summary>
    Refused,
}

internal sealed partial class DhtEngine
{
    /// <summary>Sends a query and tracks it until its answer, error or timeout reaches <paramref name="owner"/>.</summary>
    internal SendResult SendQuery(
        IPEndPoint to, NodeId? expectedId, KrpcMethod method, IQueryOwner? owner, object? state, bool slow, out PendingQuery? query,
        NodeId? target = null, NodeId? infoHash = null, int? port = null, bool impliedPort = false, byte[]? token = null, int retries = 0)
    {
        query = null;
        if (!Filter.IsAllowed(to) || IsOwnEndPoint(to) || expectedId == Id)
        {
            Counters.Refused++;
            return SendResult.Refused;
        }
        if (_pending.Count >= _options.MaxOutstandingQueries)
        {
            Counters.Deferred++;
            return SendResult.Busy;
        }
        var tid = _nextTransactionId;
        while (_pending.ContainsKey((to, tid)))
        {
            tid++;
        }
        _nextTransactionId = (ushort)(tid + 1);
        var now = NowMs;
        var message = new KrpcMessage
        {
            TransactionId = [(byte)(tid >> 8), (byte)tid],
            Type = KrpcMessageType.Query,
            Method = method,
            Id = Id,
            Target = target,
            InfoHash = infoHash,
            Port = port,
            ImpliedPort = impliedPort,
            Token = token,
            ReadOnly = _options.ReadOnly,
            Version = _options.Version?.ToArray(),
        };
        var datagram = KrpcEncoder.Encode(message);
        query = new PendingQuery(tid, to, method, expectedId, now, owner, state) { Datagram = datagram, RetriesLeft = retries };
        _pending[(to, tid)] = query;
        _timers.Enqueue(new TimerItem(query, TimerKind.QueryTimeout), now + _queryTimeoutMs);
        if (slow)
        {
            _timers.Enqueue(new TimerItem(query, TimerKind.QuerySlow), now + SlowTimeoutMs);
        }
        Counters.QueriesSent++;
        Transmit(datagram, to);
        return SendResult.Sent;
    }

    private void Transmit(byte[] datagram, IPEndPoint to)
    {
        Counters.DatagramsSent++;
        _host.Send(datagram, to);
    }

    private bool IsOwnEndPoint(IPEndPoint endPoint) =>
        endPoint.Equals(LocalEndPoint) || endPoint.Equals(ExternalEndPoint);

    /// <summary>Whether a node from someone's <c>nodes</c> is worth contacting.</summary>
    internal bool IsUsableNode(NodeId id, IPEndPoint endPoint) =>
        id != Id && Filter.IsAllowed(endPoint) && !IsOwnEndPoint(endPoint);

    /// <summary>BEP 42 verdict on a node's ID for its address (local addresses pass unless the simulation says otherwise).</summary>
    internal bool IsIdVerified(NodeId id, IPAddress address) =>
        _options.Bep42ForLocalAddresses ? Bep42.Matches(id, address) : Bep42.IsValid(id, address);

    private void HandleReply(KrpcMessage message, KrpcDecodeError error, IPEndPoint from)
    {
        if (message.TransactionId.Length != 2
            || !_pending.Remove((from, (ushort)((message.TransactionId[0] << 8) | message.TransactionId[1])), out var query))
        {
            // Not an answer to anything we asked from that endpoint: a late reply after a timeout, or forged.
            Counters.Unsolicited++;
            return;
        }
        query.Done = true;
        query.Datagram = [];
        var now = NowMs;
        if (message.Id == Id)
        {
            Counters.OwnIdIgnored++;
            query.Owner?.OnFailure(query, QueryFailure.Malformed, message);
        }
        else if (message.Type == KrpcMessageType.Error)
        {
            Counters.ErrorsReceived++;
            Log.ErrorReceived(_logger, from, message.ErrorCode, message.ErrorMessage);
            Table.OnAlive(from);
            query.Owner?.OnFailure(query, QueryFailure.Error, message);
        }
        else if (error != KrpcDecodeError.None)
        {
            Counters.Malformed++;
            Log.MalformedReply(_logger, from, error);
            Table.OnAlive(from);
            query.Owner?.OnFailure(query, QueryFailure.Malformed, message);
        }
        else
        {
            Counters.ResponsesReceived++;
            SampleRoundTrip(now - query.SentMs);
            var id = message.Id!.Value;
            if (!_routers.Contains(from))
            {
                Table.OnResponded(id, from, IsIdVerified(id, from.Address), now);
            }
            if (message.RequesterEndPoint is { } requester)
            {
                OnRequesterEndPoint(requester, from);
            }
            query.Owner?.OnResponse(query, message);
        }
        PumpStarved();
    }

    private void SampleRoundTrip(long rttMs)
    {
        // RFC 6298's estimator: the slow timeout follows the network instead of a fixed guess.
        if (!_hasRtt)
        {
            _srttMs = rttMs;
            _rttVarMs = rttMs / 2.0;
            _hasRtt = true;
            return;
        }
        _rttVarMs = (0.75 * _rttVarMs) + (0.25 * Math.Abs(_srttMs - rttMs));
        _srttMs = (0.875 * _srttMs) + (0.125 * rttMs);
    }

    private void PumpStarved()
    {
        if (!_starved || _pending.Count >= _options.MaxOutstandingQueries)
        {
            return;
        }
        _starved = false;
        foreach (var lookup in _lookups.ToArray())
        {
            lookup.Pump();
        }
    }

    private void OnRequesterEndPoint(IPEndPoint reported, IPEndPoint voter)
    {
        if (!_voter.Vote(reported, voter.Address))
        {
            return;
        }
        Log.ExternalEndPoint(_logger, reported);
        ExternalEndPointChanged?.Invoke(reported);
        if (_fixedId)
        {
            return;
        }
        var address = reported.Address;
        if ((!_options.Bep42ForLocalAddresses && Bep42.IsExempt(address)) || Bep42.Matches(Id, address))
        {
            return;
        }
        Span<byte> random = stackalloc byte[NodeId.Size];
        Random.Fill(random);
        ChangeId(Bep42.CreateId(address, random));
    }

    /// <summary>Takes a new ID: the routing table is rebuilt around it and a self-lookup tells our new neighbours.</summary>
    internal void ChangeId(NodeId id)
    {
        var now = NowMs;
        var old = Table;
        Id = id;
        Table = NewTable(id, now);
        foreach (var contact in old.Contacts.Where(c => c.HasResponded).OrderByDescending(c => c.LastResponseMs))
        {
            Table.OnResponded(contact.Id, contact.EndPoint, contact.IdVerified, contact.LastResponseMs);
        }
        Log.IdChanged(_logger, id);
        IdChanged?.Invoke(id);
        if (IsBootstrapped)
        {
            StartBootstrap(now);
        }
    }
}
