using System.Globalization;
using Ouinet.Overlay.Wire;

namespace Ouinet.Overlay.Ipcp.Unicast;

/// <summary>
/// The unicast layer's flow allocator: FLOW_REQ (with the name hash) to the address the directory gives, FLOW_REPLY
/// with the acceptor's EID (a 2-way handshake; FRCP needs none), FLOW_UPDATE for MB-ECN. EIDs are
/// <c>(random32 &lt;&lt; 32) | n</c> with n from 64 (lower EIDs are the layer's own components). Requests are resent
/// until answered, and a repeated request gets the same answer.
/// </summary>
internal sealed class FlowAllocator(UnicastIpcp ipcp)
{
    public const ulong FlowAllocatorEid = 1;
    public const ulong DirectoryEid = 2;
    private static readonly TimeSpan RequestInterval = TimeSpan.FromSeconds(1);

    private readonly Dictionary<ulong, FaFlow> _flows = [];
    private readonly Dictionary<(ulong, ulong), ulong> _incoming = [];
    private readonly Dictionary<ulong, (Request<(ulong, ulong)> Request, ulong Address)> _pending = [];
    private uint _counter = 64;

    public int FlowCount => _flows.Count;

    public async Task<IpcpFlow> AllocateAsync(uint address, byte[] hash, QosSpec qos, CancellationToken cancellationToken)
    {
        var ctx = ipcp.Context;
        ulong localEid;
        Request<(ulong, ulong)> request;
        lock (ctx.Gate)
        {
            localEid = NewEid();
            var message = new FlowAllocatorMessage(FlowAllocatorCode.FlowRequest, ipcp.Address, 0, localEid, 0, qos, 0, hash).ToArray();
            request = new Request<(ulong, ulong)>(ctx, () => ipcp.SendDt(address, QosCube.BestEffort, FlowAllocatorEid, message), RequestInterval, 5,
                $"a flow request to {address:x8}", cancellationToken);
            _pending[localEid] = (request, address);
            request.Start();
        }
        try
        {
            var (remoteEid, _) = await request.Task.ConfigureAwait(false);
            lock (ctx.Gate)
            {
                var flow = new FaFlow(ipcp, this, localEid, address, remoteEid, qos.Cube);
                _flows[localEid] = flow;
                return flow;
            }
        }
        finally
        {
            lock (ctx.Gate)
            {
                _pending.Remove(localEid);
                request.Dispose();
            }
        }
    }

    private ulong NewEid() => ((ulong)ipcp.Context.RandomUInt32() << 32) | _counter++;

    /// <summary>Under the lock: a message to the flow allocator's EID.</summary>
    public void OnMessage(ReadOnlySpan<byte> payload)
    {
        var m = FlowAllocatorMessage.Parse(payload);
        switch (m.Code)
        {
            case FlowAllocatorCode.FlowRequest:
                OnRequest(m);
                break;
            case FlowAllocatorCode.FlowReply:
                if (_pending.TryGetValue(m.RemoteEid, out var p) && p.Address == m.SourceAddress)
                {
                    if (m.Response != 0)
                    {
                        p.Request.Fail(new FlowException(OverlayError.Name, $"{m.SourceAddress:x8} refused the flow ({m.Response})"));
                    }
                    else
                    {
                        p.Request.Complete((m.SourceEid, m.SourceAddress));
                    }
                }
                break;
            case FlowAllocatorCode.FlowUpdate:
                if (_flows.TryGetValue(m.RemoteEid, out var flow) && flow.RemoteAddress == m.SourceAddress)
                {
                    flow.Congestion?.OnUpdate(m.Ece);
                }
                break;
        }
    }

    private void OnRequest(FlowAllocatorMessage m)
    {
        if (m.SourceAddress > uint.MaxValue)
        {
            return;
        }
        var source = (uint)m.SourceAddress;
        if (_incoming.TryGetValue((source, m.SourceEid), out var existing))
        {
            Reply(source, m.SourceEid, existing, 0, m.Qos);
            return;
        }
        var localEid = NewEid();
        var flow = new FaFlow(ipcp, this, localEid, source, m.SourceEid, m.Qos.Cube);
        if (ipcp.Node.OnFlowRequest(ipcp, m.Hash!, m.Qos, flow) is null)
        {
            Reply(source, m.SourceEid, 0, -(int)OverlayError.Name, m.Qos);
            return;
        }
        _flows[localEid] = flow;
        _incoming[(source, m.SourceEid)] = localEid;
        Reply(source, m.SourceEid, localEid, 0, m.Qos);
    }

    private void Reply(uint to, ulong theirEid, ulong ourEid, int response, QosSpec qos) =>
        ipcp.SendDt(to, QosCube.BestEffort, FlowAllocatorEid,
            new FlowAllocatorMessage(FlowAllocatorCode.FlowReply, ipcp.Address, theirEid, ourEid, response, qos, 0, null).ToArray());

    /// <summary>Under the lock: data for an N+1 flow.</summary>
    public void OnData(ulong eid, ReadOnlySpan<byte> payload, byte ecn)
    {
        if (_flows.TryGetValue(eid, out var flow))
        {
            flow.OnReceive(payload, ecn);
        }
    }

    public void Remove(FaFlow flow)
    {
        _flows.Remove(flow.LocalEid);
        _incoming.Remove((flow.RemoteAddress, flow.RemoteEid));
    }

    internal void SendUpdate(FaFlow flow, ushort ece) =>
        ipcp.SendDt(flow.RemoteAddress, QosCube.BestEffort, FlowAllocatorEid,
            new FlowAllocatorMessage(FlowAllocatorCode.FlowUpdate, ipcp.Address, flow.RemoteEid, flow.LocalEid, 0, QosSpec.Raw, ece, null).ToArray());
}

/// <summary>An N+1 flow of the unicast layer: DT packets to (address, EID), paced by MB-ECN when the layer runs it.</summary>
internal sealed class FaFlow(UnicastIpcp ipcp, FlowAllocator allocator, ulong localEid, uint remoteAddress, ulong remoteEid, QosCube cube) : IpcpFlow
{
    public ulong LocalEid { get; } = localEid;

    public uint RemoteAddress { get; } = remoteAddress;

    public ulong RemoteEid { get; } = remoteEid;

    public MbEcn? Congestion { get; } = ipcp.LayerConfig.MbEcn ? new MbEcn() : null;

    public override string LayerName => ipcp.Layer!;

    public override int MaxSdu => ipcp.MaxSdu;

    public override bool HasCongestionAvoidance => Congestion is not null;

    public override TimeSpan Mpl => TimeSpan.FromMilliseconds(100);

    public override TimeSpan ReserveSend(int bytes) => Congestion?.ReserveSend(bytes, ipcp.Context.Now) ?? TimeSpan.Zero;

    public override void Send(byte[] sdu) => ipcp.SendDt(RemoteAddress, cube, RemoteEid, sdu);

    public void OnReceive(ReadOnlySpan<byte> payload, byte ecn)
    {
        if (Congestion?.OnReceive(ecn) is { } ece)
        {
            allocator.SendUpdate(this, ece);
        }
        Endpoint?.OnSdu(payload);
    }

    public override void Deallocate() => allocator.Remove(this);

    public override void Describe(IDictionary<string, string> into)
    {
        var c = CultureInfo.InvariantCulture;
        into["local_eid"] = LocalEid.ToString("x16", c);
        into["remote_eid"] = RemoteEid.ToString("x16", c);
        into["remote_addr"] = RemoteAddress.ToString("x8", c);
        into["qos_cube"] = cube.ToString();
        if (Congestion is { } ca)
        {
            into["ca_rate_bps"] = ((long)(ca.BudgetRate * 8)).ToString(c);
            into["ca_ece_snd"] = ca.SenderEce.ToString(c);
            into["ca_ece_rcv"] = ca.ReceiverEce.ToString(c);
        }
    }
}
