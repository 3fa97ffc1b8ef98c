using System.Net;
using System.Security.Cryptography;
using System.Text;
using Ouinet.Overlay.Configuration;
using Ouinet.Overlay.Node;
using Ouinet.Overlay.Simulation;
using Ouinet.Overlay.Wire;

namespace Ouinet.Overlay.Ipcp.Shim;

/// <summary>
/// The udp4 shim: one UDP socket for the whole layer; a flow is a pair of endpoint ids. Names are MD5 hashes looked up
/// in a static directory (our stand-in for DNS). Unlike Ouroboros, EIDs are random 32-bit numbers and data is accepted
/// only from the flow's remote endpoint, so an off-path sender can neither guess nor inject.
/// </summary>
internal sealed class Udp4Ipcp : IpcpBase
{
    private static readonly TimeSpan RequestInterval = TimeSpan.FromMilliseconds(500);
    private readonly Dictionary<string, IPEndPoint> _directory = new(StringComparer.Ordinal);
    private readonly HashSet<string> _registered = new(StringComparer.Ordinal);
    private readonly Dictionary<uint, ShimFlow> _flows = [];
    private readonly Dictionary<uint, Request<(uint RemoteEid, IPEndPoint Remote)>> _pending = [];
    private readonly Dictionary<(IPEndPoint, uint), uint> _incoming = [];
    private readonly IDatagramPort _port;

    public Udp4Ipcp(OverlayNode node, IpcpConfig config, int rank, IDatagramPort port)
        : base(node, config, rank)
    {
        _port = port;
        foreach (var (name, endpoint) in config.Directory)
        {
            var key = name.Length == 32 && name.All(char.IsAsciiHexDigit) ? name.ToLowerInvariant() : Convert.ToHexStringLower(Hash(name));
            _directory[key] = endpoint;
        }
        Layer = config.Bootstrap ?? config.Name;
        Enrolled = true;
    }

    public IPEndPoint LocalEndPoint => _port.LocalEndPoint;

    public int MaxSdu => Config.Mtu - ShimFrame.HeaderSize;

#pragma warning disable CA5351 // MD5 is the udp layers' name hash (it fits a DNS label); it names, it does not protect.
    public override byte[] Hash(string name) => MD5.HashData(Encoding.UTF8.GetBytes(name));
#pragma warning restore CA5351

    public override Task<bool> QueryAsync(byte[] hash, CancellationToken cancellationToken)
    {
        lock (Context.Gate)
        {
            return Task.FromResult(_directory.ContainsKey(Convert.ToHexStringLower(hash)));
        }
    }

    public override void Register(byte[] hash) => _registered.Add(Convert.ToHexStringLower(hash));

    public override void Unregister(byte[] hash) => _registered.Remove(Convert.ToHexStringLower(hash));

    public override Task RunAsync(CancellationToken cancellationToken)
    {
        _port.Start(OnDatagram);
        Log.ShimUp(Context.Logger, Name, _port.LocalEndPoint.ToString(), Layer!);
        return Task.CompletedTask;
    }

    public override async Task<IpcpFlow> AllocateAsync(byte[] hash, QosSpec qos, CancellationToken cancellationToken)
    {
        Request<(uint, IPEndPoint)> request;
        uint localEid;
        lock (Context.Gate)
        {
            if (!_directory.TryGetValue(Convert.ToHexStringLower(hash), out var remote))
            {
                throw new FlowException(OverlayError.Name, $"{Convert.ToHexStringLower(hash)} is not in the {Layer} directory");
            }
            localEid = NewEid();
            var message = new ShimMgmtMessage(ShimMgmtCode.FlowRequest, localEid, 0, 0, qos, hash).ToArray();
            request = new Request<(uint, IPEndPoint)>(Context, () => _port.Send(message, remote), RequestInterval, 10, $"a flow request to {remote}", cancellationToken);
            _pending[localEid] = request;
            request.Start();
        }
        try
        {
            var (remoteEid, from) = await request.Task.ConfigureAwait(false);
            lock (Context.Gate)
            {
                var flow = new ShimFlow(this, localEid, remoteEid, from);
                _flows[localEid] = flow;
                return flow;
            }
        }
        finally
        {
            lock (Context.Gate)
            {
                _pending.Remove(localEid);
                request.Dispose();
            }
        }
    }

    private uint NewEid()
    {
        while (true)
        {
            var eid = Context.RandomUInt32();
            if (eid != ShimFrame.ManagementEid && !_flows.ContainsKey(eid) && !_pending.ContainsKey(eid))
            {
                return eid;
            }
        }
    }

    private void OnDatagram(ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        lock (Context.Gate)
        {
            if (Context.Stopped)
            {
                return;
            }
            try
            {
                if (datagram.Length < ShimFrame.HeaderSize)
                {
                    Log.ShimDropped(Context.Logger, Name, from.ToString(), 0, "shorter than an EID");
                    return;
                }
                var eid = ShimFrame.ReadEid(datagram);
                if (eid == ShimFrame.ManagementEid)
                {
                    OnManagement(ShimMgmtMessage.Parse(datagram), from);
                    return;
                }
                if (!_flows.TryGetValue(eid, out var flow))
                {
                    Log.ShimDropped(Context.Logger, Name, from.ToString(), eid, "no such flow");
                    return;
                }
                if (!flow.Remote.Equals(from))
                {
                    Log.ShimDropped(Context.Logger, Name, from.ToString(), eid, "not from the flow's peer");
                    return;
                }
                flow.Endpoint?.OnSdu(datagram[ShimFrame.HeaderSize..]);
            }
            catch (OverlayFormatException e)
            {
                Log.Malformed(Context.Logger, "shim management message", e.Message);
            }
#pragma warning disable CA1031 // A bug on one datagram must not stop the receive loop; it is logged.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.ComponentFailed(Context.Logger, e);
            }
        }
    }

    private void OnManagement(ShimMgmtMessage message, IPEndPoint from)
    {
        if (message.Code == ShimMgmtCode.FlowReply)
        {
            if (_pending.TryGetValue(message.DestinationEid, out var request))
            {
                if (message.Response != 0)
                {
                    request.Fail(new FlowException(OverlayError.Name, $"{from} refused the flow ({message.Response})"));
                }
                else
                {
                    request.Complete((message.SourceEid, from));
                }
            }
            return;
        }
        // A request: answer a repeat with the same EID, so a lost reply costs nothing.
        if (_incoming.TryGetValue((from, message.SourceEid), out var existing))
        {
            Reply(from, existing, message.SourceEid, 0, message.Qos);
            return;
        }
        var hex = Convert.ToHexStringLower(message.Hash!);
        if (!_registered.Contains(hex) || message.SourceEid == ShimFrame.ManagementEid)
        {
            Reply(from, 0, message.SourceEid, -(int)OverlayError.Name, message.Qos);
            return;
        }
        var localEid = NewEid();
        var flow = new ShimFlow(this, localEid, message.SourceEid, from);
        if (Node.OnFlowRequest(this, message.Hash!, message.Qos, flow) is null)
        {
            Reply(from, 0, message.SourceEid, -(int)OverlayError.Name, message.Qos);
            return;
        }
        _flows[localEid] = flow;
        _incoming[(from, message.SourceEid)] = localEid;
        Reply(from, localEid, message.SourceEid, 0, message.Qos);
    }

    private void Reply(IPEndPoint to, uint localEid, uint remoteEid, int response, QosSpec qos) =>
        _port.Send(new ShimMgmtMessage(ShimMgmtCode.FlowReply, localEid, remoteEid, response, qos, null).ToArray(), to);

    public override IReadOnlyDictionary<string, string> Describe()
    {
        lock (Context.Gate)
        {
            return new Dictionary<string, string>
            {
                ["endpoint"] = _port.LocalEndPoint.ToString(),
                ["flows"] = _flows.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
        }
    }

    public override ValueTask DisposeAsync() => _port.DisposeAsync();

    private sealed class ShimFlow(Udp4Ipcp shim, uint localEid, uint remoteEid, IPEndPoint remote) : IpcpFlow
    {
        public IPEndPoint Remote { get; } = remote;

        public override string LayerName => shim.Layer!;

        public override int MaxSdu => shim.MaxSdu;

        public override bool HasCongestionAvoidance => false;

        public override bool IsShim => true;

        public override TimeSpan Mpl => TimeSpan.FromSeconds(5);

        public override void Send(byte[] sdu)
        {
            var datagram = new byte[ShimFrame.HeaderSize + sdu.Length];
            ShimFrame.WriteHeader(datagram, remoteEid);
            sdu.CopyTo(datagram, ShimFrame.HeaderSize);
            shim._port.Send(datagram, Remote);
        }

        public override void Deallocate()
        {
            shim._flows.Remove(localEid);
            shim._incoming.Remove((Remote, remoteEid));
        }

        public override void Describe(IDictionary<string, string> into)
        {
            into["local_eid"] = localEid.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
            into["remote_eid"] = remoteEid.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
            into["remote"] = Remote.ToString();
        }
    }
}
