using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ouinet.Overlay.Configuration;
using Ouinet.Overlay.Node;
using Ouinet.Overlay.Wire;

namespace Ouinet.Overlay.Ipcp.Unicast;

/// <summary>
/// A member of a unicast layer, over N-1 flows from any lower layer (the recursion): a random flat 32-bit address,
/// enrolment (OEP) and connections (CEP) to neighbours, link-state routing, forwarding with the 15-byte DT header, the
/// flow allocator with MB-ECN, and the Kademlia directory. It is an application of the layers below: bound to its own
/// name and its layer's name, and reached through them.
/// </summary>
internal sealed partial class UnicastIpcp : IpcpBase
{
    private const int EnrolTimeoutSeconds = 5;
    private readonly Dictionary<uint, Neighbour> _neighbours = [];
    private Dictionary<uint, uint> _nextHop = [];
    private readonly List<byte[]> _registered = [];
    private readonly List<FlowAcceptor> _bindings = [];

    public UnicastIpcp(OverlayNode node, IpcpConfig config, int rank)
        : base(node, config, rank)
    {
        LayerConfig = config.Layer;
        LinkState = new LinkState(this);
        Allocator = new FlowAllocator(this);
        Directory = new Dht(this);
    }

    public LayerConfig LayerConfig { get; private set; }

    public uint Address { get; private set; }

    internal LinkState LinkState { get; }

    internal FlowAllocator Allocator { get; }

    internal Dht Directory { get; }

    internal IEnumerable<Neighbour> Neighbours => _neighbours.Values;

    /// <summary>Packets dropped for want of a route or by TTL.</summary>
    public long Unroutable { get; private set; }

    public int MaxSdu
    {
        get
        {
            var lower = _neighbours.Values.SelectMany(n => n.Dt).Select(f => f.MaxMessageSize).DefaultIfEmpty(1396).Min();
            return lower - DtHeader.Size;
        }
    }

    public override byte[] Hash(string name) => SHA3_256.IsSupported
        ? SHA3_256.HashData(Encoding.UTF8.GetBytes(name))
        : throw new PlatformNotSupportedException("SHA3-256 needs OpenSSL 1.1.1 or later.");

    public bool HasRoute(uint address) => address == Address || _nextHop.ContainsKey(address);

    public override Task<bool> QueryAsync(byte[] hash, CancellationToken cancellationToken) => Directory.QueryAsync(hash, cancellationToken);

    public override async Task<IpcpFlow> AllocateAsync(byte[] hash, QosSpec qos, CancellationToken cancellationToken)
    {
        uint address;
        lock (Context.Gate)
        {
            address = Directory.Resolve(hash) ?? throw new FlowException(OverlayError.Name, $"{Convert.ToHexStringLower(hash)[..8]} is not in the {Layer} directory");
        }
        return await Allocator.AllocateAsync(address, hash, qos, cancellationToken).ConfigureAwait(false);
    }

    public override void Register(byte[] hash)
    {
        _registered.Add(hash);
        Directory.Register(hash);
    }

    public override void Unregister(byte[] hash) => Directory.Unregister(hash);

    public override async Task RunAsync(CancellationToken cancellationToken)
    {
        lock (Context.Gate)
        {
            _bindings.Add(Node.BindInternal(Name, OnIncomingFlow));
        }
        if (Config.Bootstrap is { } layer)
        {
            lock (Context.Gate)
            {
                LayerConfig = Config.Layer with { LayerName = layer };
                Address = Config.Address ?? NewAddress([]);
                BecomeMember(null);
                Log.Bootstrapped(Context.Logger, Name, layer, Address.ToString("x8", CultureInfo.InvariantCulture));
            }
        }
        else
        {
            while (!await TryEnrolAsync(Config.Enrol!, cancellationToken).ConfigureAwait(false))
            {
                await Context.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
        }
        var loops = Config.Connect.Select(dst => ConnectLoopAsync(dst, cancellationToken)).ToList();
        try
        {
            await Task.WhenAll(loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private uint NewAddress(IReadOnlyCollection<uint> taken)
    {
        while (true)
        {
            var a = Context.RandomUInt32();
            if (a != 0 && !taken.Contains(a))
            {
                return a;
            }
        }
    }

    /// <summary>Under the lock: enrolled (or bootstrapped); starts routing and the directory.</summary>
    private void BecomeMember(uint? enroller)
    {
        Layer = LayerConfig.LayerName;
        Enrolled = true;
        _bindings.Add(Node.BindInternal(Layer, OnIncomingFlow));
        LinkState.Start();
        Directory.Start(enroller);
    }

    private async Task<bool> TryEnrolAsync(string via, CancellationToken cancellationToken)
    {
        Flow flow;
        try
        {
            flow = await Node.AllocWithTimeoutAsync(via, QosSpec.Data with { Timeout = Config.ConnTimeout }, Rank, cancellationToken).ConfigureAwait(false);
        }
        catch (FlowException e)
        {
            Log.EnrolFailed(Context.Logger, Name, via, e.Message);
            return false;
        }
        flow.LingerTimeout = TimeSpan.FromSeconds(EnrolTimeoutSeconds);
        var id = Context.RandomBytes(LayerMessage.EnrolmentIdSize);
        Request<EnrollResponse> request;
        lock (Context.Gate)
        {
            request = new Request<EnrollResponse>(Context, () => flow.TrySend(new EnrollRequest(id).ToArray()), TimeSpan.FromSeconds(EnrolTimeoutSeconds), 1,
                $"an enrolment request to {via}", cancellationToken);
            flow.Sink = message =>
            {
                if (Parse(message) is EnrollResponse r && r.Id.AsSpan().SequenceEqual(id))
                {
                    request.Complete(r);
                }
            };
            request.Start();
        }
        try
        {
            var response = await request.Task.ConfigureAwait(false);
            lock (Context.Gate)
            {
                if (response.Response != 0)
                {
                    Log.EnrolFailed(Context.Logger, Name, via, $"refused ({response.Response})");
                    return false;
                }
                LayerConfig = response.Config with { EnrollerAddress = 0, KnownAddresses = [] };
                Address = Config.Address is { } fixedAddress && !response.Config.KnownAddresses.Contains(fixedAddress)
                    ? fixedAddress
                    : NewAddress([.. response.Config.KnownAddresses, response.Config.EnrollerAddress]);
                flow.TrySend(new EnrollAck(id, 0).ToArray());
                BecomeMember(response.Config.EnrollerAddress);
                Log.Enrolled(Context.Logger, Name, Layer!, via, Address.ToString("x8", CultureInfo.InvariantCulture));
                return true;
            }
        }
        catch (FlowException e)
        {
            Log.EnrolFailed(Context.Logger, Name, via, e.Message);
            return false;
        }
        finally
        {
            request.Dispose();
            Node.Own(flow.DisposeAsync().AsTask());
        }
    }

    private LayerMessage? Parse(byte[] message)
    {
        try
        {
            return LayerMessage.Parse(message);
        }
        catch (OverlayFormatException e)
        {
            Log.Malformed(Context.Logger, "layer management message", e.Message);
            return null;
        }
    }

    /// <summary>Under the lock: a flow to this IPCP's name or layer: enrolment or a connection, told by its first message.</summary>
    private void OnIncomingFlow(Flow flow)
    {
        flow.Sink = message => OnFirstMessage(flow, message);
        flow.EventSink = kind =>
        {
            if (kind is FlowEventKind.Peer or FlowEventKind.Down)
            {
                flow.Deallocate();
            }
        };
    }

    private void OnFirstMessage(Flow flow, byte[] message)
    {
        switch (Parse(message))
        {
            case EnrollRequest request when Enrolled:
                var config = LayerConfig with
                {
                    EnrollerAddress = Address,
                    KnownAddresses = [.. LinkState.KnownAddresses.Append(Address).Distinct().Take(EnrollResponse.MaxKnownAddresses)],
                };
                var now = Context.Time.GetUtcNow();
                flow.TrySend(new EnrollResponse(request.Id, (ulong)now.ToUnixTimeSeconds(), (uint)(now.Ticks % TimeSpan.TicksPerSecond * 100), 0, config).ToArray());
                break;
            case EnrollAck:
                // The new member closes its side; ours goes once the ack's own acknowledgement had time to leave.
                Context.After(TimeSpan.FromSeconds(1), flow.Deallocate);
                break;
            case ConnectMessage c when Enrolled && c.Address is > 0 and <= uint.MaxValue && c.Component is "dt" or "mgmt":
                flow.TrySend(new ConnectMessage(c.Component, c.Protocol, 1, Address).ToArray());
                AddFlow((uint)c.Address, c.Component, flow, null);
                break;
        }
    }

    /// <summary>Connects both components to <paramref name="dst"/>, and again whenever the adjacency is lost.</summary>
    private async Task ConnectLoopAsync(string dst, CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromMilliseconds(Math.Min(Config.ConnTimeout, 2000));
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var down = await ConnectAsync(dst, cancellationToken).ConfigureAwait(false);
                await down.ConfigureAwait(false);
            }
            catch (FlowException e)
            {
                Log.ConnectFailed(Context.Logger, Name, dst, e.Message);
            }
            await Context.Delay(backoff, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Allocates the mgmt and dt N-1 flows, exchanges CEP on each; returns a task that ends when the adjacency goes down.</summary>
    private async Task<Task> ConnectAsync(string dst, CancellationToken cancellationToken)
    {
        var mgmt = await Node.AllocWithTimeoutAsync(dst, QosSpec.Data with { Timeout = Config.ConnTimeout }, Rank, cancellationToken).ConfigureAwait(false);
        Flow dt;
        try
        {
            dt = await Node.AllocWithTimeoutAsync(dst, QosSpec.Raw with { Timeout = Config.ConnTimeout }, Rank, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (Context.Gate)
            {
                mgmt.Deallocate();
            }
            throw;
        }
        try
        {
            var peer = await HandshakeAsync(mgmt, "mgmt", "LSP", dst, cancellationToken).ConfigureAwait(false);
            var peerDt = await HandshakeAsync(dt, "dt", "DTP", dst, cancellationToken).ConfigureAwait(false);
            if (peer != peerDt)
            {
                throw new FlowException(OverlayError.Ipcp, $"{dst} answered with two addresses");
            }
            lock (Context.Gate)
            {
                var down = NodeContext.NewSignal<bool>();
                AddFlow(peer, "mgmt", mgmt, dst);
                AddFlow(peer, "dt", dt, dst, () => down.TrySetResult(true));
                return down.Task;
            }
        }
        catch
        {
            lock (Context.Gate)
            {
                mgmt.Deallocate();
                dt.Deallocate();
            }
            throw;
        }
    }

    private async Task<uint> HandshakeAsync(Flow flow, string component, string protocol, string dst, CancellationToken cancellationToken)
    {
        Request<uint> request;
        lock (Context.Gate)
        {
            var cep = new ConnectMessage(component, protocol, 1, Address).ToArray();
            request = new Request<uint>(Context, () => flow.TrySend(cep), TimeSpan.FromMilliseconds(250), 20, $"CEP for {component} to {dst}", cancellationToken);
            flow.Sink = message =>
            {
                if (Parse(message) is ConnectMessage c && c.Component == component && c.Address is > 0 and <= uint.MaxValue)
                {
                    request.Complete((uint)c.Address);
                }
            };
            request.Start();
        }
        try
        {
            return await request.Task.ConfigureAwait(false);
        }
        finally
        {
            request.Dispose();
        }
    }

    /// <summary>Under the lock: a component flow to a neighbour is up.</summary>
    private void AddFlow(uint peer, string component, Flow flow, string? dst, Action? onDown = null)
    {
        if (peer == Address)
        {
            flow.Deallocate();
            return;
        }
        if (!_neighbours.TryGetValue(peer, out var n))
        {
            _neighbours[peer] = n = new Neighbour(Context, peer, Config.RateLimit);
        }
        var list = component == "dt" ? n.Dt : n.Mgmt;
        if (list.Contains(flow))
        {
            return;
        }
        list.Add(flow);
        flow.EventSink = kind =>
        {
            if (kind is FlowEventKind.Peer or FlowEventKind.Down or FlowEventKind.Dealloc)
            {
                RemoveFlow(n, flow);
                onDown?.Invoke();
            }
        };
        if (component == "dt")
        {
            flow.Sink = OnDtPacket;
            if (n.Dt.Count == 1)
            {
                LinkState.LinkUp(peer);
            }
        }
        else
        {
            flow.Sink = message =>
            {
                if (Parse(message) is LinkStateMessage l)
                {
                    LinkState.OnLsa(l.Lsa, n);
                }
            };
            LinkState.SyncTo(flow);
        }
        Log.ConnectionUp(Context.Logger, Name, component, dst ?? "(incoming)", peer.ToString("x8", CultureInfo.InvariantCulture));
    }

    private void RemoveFlow(Neighbour n, Flow flow)
    {
        var wasUp = n.Dt.Count > 0;
        if (!n.Dt.Remove(flow) && !n.Mgmt.Remove(flow))
        {
            return;
        }
        flow.Deallocate();
        if (wasUp && n.Dt.Count == 0)
        {
            n.Clear();
            LinkState.LinkDown(n.Address);
            Log.AdjacencyDown(Context.Logger, Name, n.Address.ToString("x8", CultureInfo.InvariantCulture));
        }
        if (n.Dt.Count == 0 && n.Mgmt.Count == 0)
        {
            n.Dispose();
            _neighbours.Remove(n.Address);
        }
    }

    /// <summary>Under the lock: a new forwarding table from routing.</summary>
    internal void SetForwarding(Dictionary<uint, uint> nextHop)
    {
        var changed = nextHop.Count != _nextHop.Count || nextHop.Any(kv => !_nextHop.TryGetValue(kv.Key, out var v) || v != kv.Value);
        _nextHop = nextHop;
        if (changed)
        {
            Log.Recalculated(Context.Logger, Name, nextHop.Count);
        }
    }

    public override IReadOnlyDictionary<string, string> Describe()
    {
        lock (Context.Gate)
        {
            var c = CultureInfo.InvariantCulture;
            return new Dictionary<string, string>
            {
                ["address"] = Address.ToString("x8", c),
                ["neighbours"] = string.Join(",", _neighbours.Values.Where(n => n.Dt.Count > 0).Select(n => n.Address.ToString("x8", c)).Order(StringComparer.Ordinal)),
                ["routes"] = string.Join(",", _nextHop.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key.ToString("x8", c)}>{kv.Value.ToString("x8", c)}")),
                ["lsdb"] = LinkState.Count.ToString(c),
                ["dht_contacts"] = Directory.ContactCount.ToString(c),
                ["dht_joined"] = Directory.Joined ? "true" : "false",
                ["flows"] = Allocator.FlowCount.ToString(c),
                ["unroutable"] = Unroutable.ToString(c),
            };
        }
    }

    public override async ValueTask DisposeAsync()
    {
        lock (Context.Gate)
        {
            LinkState.Stop();
            Directory.Stop();
            foreach (var n in _neighbours.Values)
            {
                n.Dispose();
            }
        }
        foreach (var b in _bindings)
        {
            await b.DisposeAsync().ConfigureAwait(false);
        }
    }
}
