using Ouinet.Net;

namespace Ouinet.Dht.Tests.Support;

/// <summary>DHT nodes started on their own multiplexers, all stopped (nodes first) when the group is disposed.</summary>
internal sealed class NodeGroup : IAsyncDisposable
{
    private readonly List<(DhtNode Node, UdpMultiplexer Multiplexer)> _members = [];

    public IReadOnlyList<DhtNode> Nodes => [.. _members.Select(m => m.Node)];

    public async Task<DhtNode> StartAsync(IDatagramSocket socket, DhtOptions options, CancellationToken cancellationToken, TimeProvider? time = null)
    {
        var multiplexer = new UdpMultiplexer(socket);
        var node = new DhtNode(options with { UseDefaultBootstrapRouters = false }, multiplexer, time);
        _members.Add((node, multiplexer));
        multiplexer.Start();
        await node.StartAsync(cancellationToken);
        return node;
    }

    public async Task StopAsync(DhtNode node)
    {
        var member = _members.Single(m => m.Node == node);
        _members.Remove(member);
        await member.Node.DisposeAsync();
        await member.Multiplexer.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (node, multiplexer) in _members)
        {
            await node.DisposeAsync();
            await multiplexer.DisposeAsync();
        }
        _members.Clear();
    }
}
