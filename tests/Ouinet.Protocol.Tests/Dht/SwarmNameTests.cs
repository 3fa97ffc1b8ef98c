using Ouinet.Protocol.Dht;
using Ouinet.Protocol.Tests.Support;

namespace Ouinet.Protocol.Tests.Dht;

public class SwarmNameTests
{
    [Theory]
    [MemberData(nameof(Manifest.VectorNames), MemberType = typeof(Manifest))]
    public void Uri_swarms_match_the_manifest_and_swarm_txt(string vector)
    {
        using var key = TestKeys.Trusted();
        var manifest = Manifest.Vector(vector);

        var swarm = SwarmName.ForUri(key.PublicKey, ProtocolVersion.V6, manifest.String("uri"));

        Assert.Equal(manifest.String("swarm_name"), swarm.Name);
        Assert.Equal(manifest.String("swarm_infohash_hex"), swarm.InfoHashHex);
        Assert.Equal(20, swarm.InfoHash.Length);
        var text = System.Text.Encoding.ASCII.GetString(Manifest.File(vector, "swarm"));
        Assert.Equal($"swarm name: {swarm.Name}\ninfo-hash:  {swarm.InfoHashHex}\n", text);
    }

    [Fact]
    public void The_static_cache_group_swarm_matches_the_manifest()
    {
        using var key = TestKeys.Trusted();
        var group = Manifest.Root.GetProperty("groups")[0];

        var swarm = SwarmName.ForGroup(key.PublicKey, ProtocolVersion.Current, group.String("group"));

        Assert.Equal(group.String("swarm_name"), swarm.Name);
        Assert.Equal(group.String("swarm_infohash_hex"), swarm.InfoHashHex);
    }

    [Fact]
    public void Injector_and_bridge_swarms_follow_the_same_prefix()
    {
        using var key = TestKeys.Trusted();

        Assert.Equal("ed25519:aoqqpp7tzyil4hlq3umoos6atft6jvrqtosq2xy53sdgiesvgg4a/v6/injectors", SwarmName.Injectors(key.PublicKey, ProtocolVersion.V6).Name);
        Assert.Equal("ed25519:aoqqpp7tzyil4hlq3umoos6atft6jvrqtosq2xy53sdgiesvgg4a/v7/bridges", SwarmName.Bridges(key.PublicKey, ProtocolVersion.V7).Name);
        Assert.NotEqual(SwarmName.Injectors(key.PublicKey, ProtocolVersion.V6), SwarmName.Injectors(key.PublicKey, ProtocolVersion.V7));
    }
}
