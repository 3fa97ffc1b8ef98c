using System.Buffers.Binary;
using System.Numerics;
using Ouinet.Overlay.Node;
using Ouinet.Overlay.Wire;

namespace Ouinet.Overlay.Ipcp.Unicast;

/// <summary>
/// The layer's directory: a Kademlia DHT over the layer itself (messages to the directory EID, best-effort cube).
/// Keys are SHA3-256 name hashes, values the 4-byte addresses of the members that registered them. Random 256-bit node
/// ids, XOR distance on their first 64 bits, buckets of k, lookups α at a time with a 2 s response timeout; a member
/// publishes its names to the k closest nodes and again every <c>t_refresh</c>; values expire after <c>t_expire</c>;
/// looked-up values are cached for 60 s. As in Ouroboros, values are not authenticated.
/// </summary>
internal sealed class Dht
{
    private static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan CacheTime = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Questionable = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan JoinRetry = TimeSpan.FromMilliseconds(500);

    private readonly UnicastIpcp _ipcp;
    private readonly NodeContext _ctx;
    private readonly List<(DhtContact Contact, TimeSpan Seen)>[] _buckets = new List<(DhtContact, TimeSpan)>[65];
    private readonly Dictionary<string, Dictionary<uint, TimeSpan>> _store = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _published = new(StringComparer.Ordinal);
    private readonly Dictionary<uint, Rpc> _rpcs = [];
    private readonly NodeTimer _refresh;
    private readonly NodeTimer _join;
    private uint? _bootstrap;
    private bool _started;

    public Dht(UnicastIpcp ipcp)
    {
        _ipcp = ipcp;
        _ctx = ipcp.Context;
        Id = _ctx.RandomBytes(DhtMessage.IdSize);
        for (var i = 0; i < _buckets.Length; i++)
        {
            _buckets[i] = [];
        }
        _refresh = _ctx.Timer(Refresh);
        _join = _ctx.Timer(Join);
    }

    public byte[] Id { get; }

    public bool Joined { get; private set; }

    public int ContactCount => _buckets.Sum(b => b.Count);

    private int K => _ipcp.LayerConfig.DhtK;

    private int Alpha => _ipcp.LayerConfig.DhtAlpha;

    /// <summary>Starts; a member that enrolled joins through the enroller's address, the first member is alone.</summary>
    public void Start(uint? bootstrap)
    {
        _started = true;
        _bootstrap = bootstrap;
        if (bootstrap is null)
        {
            Joined = true;
        }
        else
        {
            _join.Arm(TimeSpan.Zero);
        }
        _refresh.Arm(TimeSpan.FromSeconds(_ipcp.LayerConfig.DhtRefreshSeconds));
        foreach (var key in _published.Values)
        {
            Publish(key);
        }
    }

    public void Stop()
    {
        _refresh.Dispose();
        _join.Dispose();
        foreach (var rpc in _rpcs.Values)
        {
            rpc.Timer.Dispose();
        }
        _rpcs.Clear();
    }

    private void Join()
    {
        if (Joined || _bootstrap is not { } via)
        {
            return;
        }
        if (!_ipcp.HasRoute(via))
        {
            _join.Arm(JoinRetry);
            return;
        }
        new Lookup(this, Id, findValue: false, seed: via, done: found =>
        {
            if (ContactCount > 0)
            {
                Joined = true;
                Log.Directory(_ctx.Logger, _ipcp.Name, $"joined with {ContactCount} contacts");
                foreach (var key in _published.Values)
                {
                    Publish(key);
                }
            }
            else
            {
                _join.Arm(JoinRetry);
            }
        }).Step();
    }

    private void Refresh()
    {
        var now = _ctx.Now;
        foreach (var (key, values) in _store.ToList())
        {
            foreach (var (addr, expiry) in values.ToList())
            {
                if (expiry <= now)
                {
                    values.Remove(addr);
                }
            }
            if (values.Count == 0)
            {
                _store.Remove(key);
            }
        }
        foreach (var key in _published.Values)
        {
            Publish(key);
        }
        _refresh.Arm(TimeSpan.FromSeconds(_ipcp.LayerConfig.DhtRefreshSeconds));
    }

    /// <summary><c>dht_reg</c>: publish this member's address under <paramref name="key"/>.</summary>
    public void Register(byte[] key)
    {
        _published[Convert.ToHexStringLower(key)] = key;
        if (_started)
        {
            Publish(key);
        }
    }

    public void Unregister(byte[] key)
    {
        var hex = Convert.ToHexStringLower(key);
        _published.Remove(hex);
        if (_store.TryGetValue(hex, out var values))
        {
            values.Remove(_ipcp.Address);
        }
    }

    private void Publish(byte[] key)
    {
        var expiry = TimeSpan.FromSeconds(_ipcp.LayerConfig.DhtExpireSeconds);
        StoreValue(key, _ipcp.Address, expiry);
        if (!Joined)
        {
            return;
        }
        new Lookup(this, key, findValue: false, seed: null, done: lookup =>
        {
            foreach (var c in lookup.Closest(K))
            {
                Send((uint)c.Address, new DhtMessage(DhtCode.Store, Id, _ipcp.Address) { Key = key, Value = _ipcp.Address, Expiry = _ipcp.LayerConfig.DhtExpireSeconds });
            }
        }).Step();
    }

    private void StoreValue(byte[] key, uint address, TimeSpan ttl)
    {
        var hex = Convert.ToHexStringLower(key);
        if (!_store.TryGetValue(hex, out var values))
        {
            _store[hex] = values = [];
        }
        if (values.Count < DhtMessage.MaxValues || values.ContainsKey(address))
        {
            var expiry = _ctx.Now + ttl;
            values[address] = values.TryGetValue(address, out var old) && old > expiry ? old : expiry;
        }
    }

    /// <summary>A live address stored under <paramref name="key"/>, if any (this member's own first).</summary>
    public uint? Resolve(byte[] key)
    {
        if (!_store.TryGetValue(Convert.ToHexStringLower(key), out var values))
        {
            return null;
        }
        var now = _ctx.Now;
        var live = values.Where(v => v.Value > now).Select(v => v.Key).ToList();
        return live.Count == 0 ? null : live.Contains(_ipcp.Address) ? _ipcp.Address : live.FirstOrDefault(_ipcp.HasRoute, live[0]);
    }

    /// <summary><c>dht_query</c>: the local store, else a FIND_VALUE lookup whose answers are cached.</summary>
    public Task<bool> QueryAsync(byte[] key, CancellationToken cancellationToken)
    {
        lock (_ctx.Gate)
        {
            if (Resolve(key) is not null)
            {
                return Task.FromResult(true);
            }
            if (ContactCount == 0)
            {
                return Task.FromResult(false);
            }
            var done = NodeContext.NewSignal<bool>();
            var reg = cancellationToken.Register(() => done.TrySetCanceled(cancellationToken));
            new Lookup(this, key, findValue: true, seed: null, done: lookup =>
            {
                reg.Dispose();
                foreach (var v in lookup.Values)
                {
                    StoreValue(key, v, CacheTime);
                }
                done.TrySetResult(Resolve(key) is not null);
            }).Step();
            return done.Task;
        }
    }

    /// <summary>Under the lock: a message to the directory EID.</summary>
    public void OnMessage(ReadOnlySpan<byte> payload)
    {
        var m = DhtMessage.Parse(payload);
        if (m.SourceAddress > uint.MaxValue || m.SourceAddress == _ipcp.Address)
        {
            return;
        }
        var from = (uint)m.SourceAddress;
        AddContact(new DhtContact(m.SourceId, from));
        switch (m.Code)
        {
            case DhtCode.Store when m.Value <= uint.MaxValue && m.Value != 0:
                StoreValue(m.Key, (uint)m.Value, TimeSpan.FromSeconds(Math.Min(m.Expiry, _ipcp.LayerConfig.DhtExpireSeconds)));
                break;
            case DhtCode.FindNodeRequest:
                Send(from, new DhtMessage(DhtCode.FindNodeResponse, Id, _ipcp.Address) { Cookie = m.Cookie, Key = m.Key, Contacts = Closest(m.Key, K) });
                break;
            case DhtCode.FindValueRequest:
                var now = _ctx.Now;
                var values = _store.TryGetValue(Convert.ToHexStringLower(m.Key), out var stored)
                    ? stored.Where(v => v.Value > now).Select(v => (ulong)v.Key).Take(DhtMessage.MaxValues).ToList()
                    : [];
                Send(from, new DhtMessage(DhtCode.FindValueResponse, Id, _ipcp.Address) { Cookie = m.Cookie, Key = m.Key, Contacts = Closest(m.Key, K), Values = values });
                break;
            case DhtCode.FindNodeResponse or DhtCode.FindValueResponse:
                if (_rpcs.Remove(m.Cookie, out var rpc) && rpc.Address == from)
                {
                    rpc.Timer.Dispose();
                    rpc.Lookup.OnResponse(from, m);
                }
                break;
        }
    }

    private void Send(uint address, DhtMessage message) => _ipcp.SendDt(address, QosCube.BestEffort, FlowAllocator.DirectoryEid, message.ToArray());

    private static ulong Prefix(byte[] id) => BinaryPrimitives.ReadUInt64BigEndian(id);

    private ulong Distance(byte[] id) => Prefix(id) ^ Prefix(Id);

    private void AddContact(DhtContact contact)
    {
        if (contact.Id.AsSpan().SequenceEqual(Id))
        {
            return;
        }
        var bucket = _buckets[BitOperations.LeadingZeroCount(Distance(contact.Id))];
        var now = _ctx.Now;
        var at = bucket.FindIndex(c => c.Contact.Id.AsSpan().SequenceEqual(contact.Id));
        if (at >= 0)
        {
            bucket.RemoveAt(at);
        }
        else if (bucket.Count >= K)
        {
            // Keep long-lived contacts (Kademlia's preference); replace only one gone quiet.
            var stale = bucket.FindIndex(c => now - c.Seen > Questionable);
            if (stale < 0)
            {
                return;
            }
            bucket.RemoveAt(stale);
        }
        bucket.Add((contact, now));
    }

    private void RemoveContact(uint address)
    {
        foreach (var bucket in _buckets)
        {
            bucket.RemoveAll(c => c.Contact.Address == address);
        }
    }

    private List<DhtContact> Closest(byte[] key, int count)
    {
        var target = Prefix(key);
        return [.. _buckets.SelectMany(b => b).Select(c => c.Contact).OrderBy(c => Prefix(c.Id) ^ target).Take(Math.Min(count, DhtMessage.MaxContacts))];
    }

    private sealed record Rpc(uint Address, Lookup Lookup, NodeTimer Timer);

    /// <summary>An iterative lookup: ask the α closest not yet asked, merge what they return, until the k closest have answered.</summary>
    private sealed class Lookup
    {
        private readonly Dht _dht;
        private readonly byte[] _key;
        private readonly bool _findValue;
        private readonly Action<Lookup> _done;
        private readonly Dictionary<uint, (DhtContact? Contact, State State)> _candidates = [];
        private readonly HashSet<uint> _values = [];
        private int _inflight;
        private bool _finished;

        public Lookup(Dht dht, byte[] key, bool findValue, uint? seed, Action<Lookup> done)
        {
            _dht = dht;
            _key = key;
            _findValue = findValue;
            _done = done;
            foreach (var c in dht.Closest(key, dht.K))
            {
                _candidates[(uint)c.Address] = (c, State.New);
            }
            if (seed is { } s && !_candidates.ContainsKey(s))
            {
                _candidates[s] = (null, State.New);
            }
        }

        public IEnumerable<uint> Values => _values;

        public IEnumerable<DhtContact> Closest(int count) =>
            _candidates.Values.Where(c => c.State == State.Done && c.Contact is not null).Select(c => c.Contact!)
                .OrderBy(c => Prefix(c.Id) ^ Prefix(_key)).Take(count);

        private ulong Rank((DhtContact? Contact, State) c) => c.Contact is null ? 0 : Prefix(c.Contact.Id) ^ Prefix(_key);

        public void Step()
        {
            if (_finished)
            {
                return;
            }
            var top = _candidates.Where(c => c.Value.State != State.Failed).OrderBy(c => Rank(c.Value)).Take(_dht.K).ToList();
            foreach (var (address, c) in top)
            {
                if (_inflight >= _dht.Alpha)
                {
                    break;
                }
                if (c.State == State.New)
                {
                    Ask(address, c.Contact);
                }
            }
            if (_inflight == 0)
            {
                _finished = true;
                _done(this);
            }
        }

        private void Ask(uint address, DhtContact? contact)
        {
            _candidates[address] = (contact, State.Pending);
            _inflight++;
            var cookie = _dht._ctx.RandomUInt32();
            var timer = _dht._ctx.Timer(() => OnTimeout(cookie, address));
            _dht._rpcs[cookie] = new Rpc(address, this, timer);
            timer.Arm(ResponseTimeout);
            _dht.Send(address, new DhtMessage(_findValue ? DhtCode.FindValueRequest : DhtCode.FindNodeRequest, _dht.Id, _dht._ipcp.Address) { Cookie = cookie, Key = _key });
        }

        private void OnTimeout(uint cookie, uint address)
        {
            if (_dht._rpcs.Remove(cookie, out var rpc))
            {
                rpc.Timer.Dispose();
                _candidates[address] = (_candidates[address].Contact, State.Failed);
                _dht.RemoveContact(address);
                _inflight--;
                Step();
            }
        }

        public void OnResponse(uint from, DhtMessage m)
        {
            _inflight--;
            _candidates[from] = (new DhtContact(m.SourceId, from), State.Done);
            foreach (var c in m.Contacts)
            {
                if (c.Address <= uint.MaxValue && c.Address != _dht._ipcp.Address && !c.Id.AsSpan().SequenceEqual(_dht.Id) && !_candidates.ContainsKey((uint)c.Address))
                {
                    _candidates[(uint)c.Address] = (c, State.New);
                }
            }
            foreach (var v in m.Values)
            {
                if (v is > 0 and <= uint.MaxValue)
                {
                    _values.Add((uint)v);
                }
            }
            if (_findValue && _values.Count > 0 && !_finished)
            {
                _finished = true;
                _done(this);
                return;
            }
            Step();
        }

        private enum State
        {
            New,
            Pending,
            Done,
            Failed,
        }
    }
}
