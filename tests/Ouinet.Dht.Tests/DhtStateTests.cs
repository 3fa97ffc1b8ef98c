using System.Net;
using System.Text;
using Ouinet.Dht.Messages;

namespace Ouinet.Dht.Tests;

public class DhtStateTests
{
    [Fact(Timeout = 10000)]
    public async Task SavedState_LoadsBack()
    {
        using var repo = new TempDirectory();
        var id = NodeId.CreateRandom();
        var nodes = new List<NodeInfo> { new(NodeId.CreateRandom(), IPEndPoint.Parse("127.0.0.1:6881")), new(NodeId.CreateRandom(), IPEndPoint.Parse("192.0.2.9:51413")) };
        await new DhtState(id, nodes).SaveAsync(repo.Path, TestContext.Current.CancellationToken);
        Assert.True(File.Exists(Path.Combine(repo.Path, "dht", "dht-state.json")));
        var (state, error) = await DhtState.LoadAsync(repo.Path, TestContext.Current.CancellationToken);
        Assert.Null(error);
        Assert.Equal(id, state!.NodeId);
        Assert.Equal(nodes, state.Nodes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"node_id\":\"xyz\"}")]
    [InlineData("{\"node_id\":\"00000000000000000000000000000000000000\u00fa0\"}")]
    public void UnreadableState_IsIgnoredWithAReason(string json)
    {
        var (state, error) = DhtState.Parse(Encoding.Latin1.GetBytes(json));
        Assert.Null(state);
        Assert.NotNull(error);
    }

    [Fact]
    public void BadEntries_AreSkipped()
    {
        var (state, _) = DhtState.Parse("""{"node_id":"0123456789abcdef0123456789abcdef01234567","nodes":[{"id":"x","endpoint":"127.0.0.1:1"},{"id":"0123456789abcdef0123456789abcdef01234567","endpoint":"127.0.0.1:0"},7,{"id":"1123456789abcdef0123456789abcdef01234567","endpoint":"127.0.0.1:2"}]}"""u8);
        Assert.Equal([IPEndPoint.Parse("127.0.0.1:2")], state!.Nodes.Select(n => n.EndPoint));
    }
}
