using System.Net;
using Ouinet.Dht.Routing;
using static Ouinet.Dht.Tests.Support.EngineHarness;

namespace Ouinet.Dht.Tests.Routing;

public class RoutingTableTests
{
    private const long Minute = 60_000;
    private static readonly NodeId Self = NodeId.Parse("0000000000000000000000000000000000000001");

    private static RoutingTable Table(bool preferVerified = true) => new(Self, 8, 15 * Minute, 2, preferVerified, 0);

    private static IPEndPoint Ep(int i) => new(IPAddress.Parse($"127.0.{i / 250}.{(i % 250) + 1}"), 6881);

    [Fact]
    public void OnlyTheBucketHoldingOurId_Splits()
    {
        var table = Table();
        // Far half (first bit 1): 20 nodes, but that bucket never splits: 8 stay, the rest wait as replacements.
        for (var i = 0; i < 20; i++)
        {
            table.OnResponded(IdFrom((byte)(0x80 + i), 1), Ep(i), true, 0);
        }
        Assert.Equal(2, table.Buckets.Count);
        Assert.Equal(8, table.Buckets[0].Nodes.Count);
        Assert.Equal(8, table.Buckets[0].Replacements.Count);
        // Near half: nodes sharing more and more bits with us keep splitting the last bucket.
        for (var i = 0; i < 40; i++)
        {
            table.OnResponded(IdFrom((byte)(0x40 >> (i % 6)), (byte)(i + 2)), Ep(100 + i), true, 0);
        }
        Assert.True(table.Buckets.Count > 3);
        AssertInvariants(table);
    }

    [Fact]
    public void NodesWeOnlyHeardOf_WaitAsCandidates_UntilTheyAnswer()
    {
        var table = Table();
        var id = IdFrom(0x80, 9);
        table.OnHeardAbout(id, Ep(1), true, 0);
        table.OnQueried(IdFrom(0x81, 9), Ep(2), true, 0);
        Assert.Equal(0, table.Count);
        Assert.Equal(2, table.ReplacementCount);
        table.OnResponded(id, Ep(1), true, 0);
        Assert.Equal(1, table.Count);
        Assert.Equal(1, table.ReplacementCount);
    }

    [Fact]
    public void NodeStates_FollowBep5()
    {
        var table = Table();
        var id = IdFrom(0x80, 9);
        table.OnResponded(id, Ep(1), true, 0);
        var contact = table.Find(id)!;
        Assert.Equal(NodeState.Good, table.StateOf(contact, 14 * Minute));
        Assert.Equal(NodeState.Questionable, table.StateOf(contact, 16 * Minute));
        table.OnQueried(id, Ep(1), true, 16 * Minute); // has answered before and queried us lately: good again
        Assert.Equal(NodeState.Good, table.StateOf(contact, 17 * Minute));
        table.OnFailed(id, Ep(1), 17 * Minute);
        Assert.NotEqual(NodeState.Bad, table.StateOf(contact, 17 * Minute));
        table.OnFailed(id, Ep(1), 17 * Minute);
        Assert.Equal(NodeState.Bad, table.StateOf(contact, 17 * Minute));
    }

    [Fact]
    public void ABadNode_IsReplaced_ByAProvenReplacement()
    {
        var table = Table();
        for (var i = 0; i < 9; i++)
        {
            table.OnResponded(IdFrom((byte)(0x80 + i), 1), Ep(i), true, 0);
        }
        var waiting = IdFrom(0x88, 1);
        Assert.Null(table.Find(waiting));
        var victim = IdFrom(0x80, 1);
        table.OnFailed(victim, Ep(0), Minute);
        table.OnFailed(victim, Ep(0), Minute);
        Assert.Null(table.Find(victim));
        Assert.NotNull(table.Find(waiting));
        AssertInvariants(table);
    }

    [Fact]
    public void Bep42_AFullBucket_SwapsANonCompliantNode_ForACompliantOne()
    {
        var table = Table();
        for (var i = 0; i < 8; i++)
        {
            table.OnResponded(IdFrom((byte)(0x80 + i), 1), Ep(i), idVerified: i != 3, 0);
        }
        table.OnResponded(IdFrom(0x90, 1), Ep(20), idVerified: true, 0);
        Assert.Null(table.Find(IdFrom(0x83, 1)));
        Assert.NotNull(table.Find(IdFrom(0x90, 1)));
        // …but a non-compliant newcomer never displaces anyone, and without the preference nobody is swapped.
        table.OnResponded(IdFrom(0x91, 1), Ep(21), idVerified: false, 0);
        Assert.Null(table.Find(IdFrom(0x91, 1)));
        var plain = Table(preferVerified: false);
        for (var i = 0; i < 8; i++)
        {
            plain.OnResponded(IdFrom((byte)(0x80 + i), 1), Ep(i), idVerified: false, 0);
        }
        plain.OnResponded(IdFrom(0x90, 1), Ep(20), idVerified: true, 0);
        Assert.Null(plain.Find(IdFrom(0x90, 1)));
    }

    [Fact]
    public void AnEndpointAnsweringWithANewId_ReplacesItsOldEntry()
    {
        var table = Table();
        table.OnResponded(IdFrom(0x80, 1), Ep(1), true, 0);
        table.OnResponded(IdFrom(0x90, 1), Ep(1), true, Minute);
        Assert.Null(table.Find(IdFrom(0x80, 1)));
        Assert.Equal(IdFrom(0x90, 1), table.Find(Ep(1))!.Id);
    }

    [Fact]
    public void Closest_IsSortedByXorDistance_AndSkipsFailedNodesWhenAsked()
    {
        var table = Table();
        var random = new Random(7);
        for (var i = 0; i < 200; i++)
        {
            var bytes = new byte[20];
            random.NextBytes(bytes);
            table.OnResponded(new NodeId(bytes), Ep(i), true, 0);
        }
        var target = NodeId.Parse("7777777777777777777777777777777777777777");
        var closest = table.Closest(target, 8, confirmedOnly: false);
        var expected = table.Contacts.OrderBy(c => c.Id, Comparer<NodeId>.Create(target.CompareDistance)).Take(8);
        Assert.Equal(expected.Select(c => c.Id), closest.Select(c => c.Id));
        table.OnFailed(closest[0].Id, closest[0].EndPoint, 0);
        Assert.DoesNotContain(table.Closest(target, 8, confirmedOnly: true), c => c.Id == closest[0].Id);
        Assert.Contains(table.Closest(target, 8, confirmedOnly: false), c => c.Id == closest[0].Id);
    }

    internal static void AssertInvariants(RoutingTable table)
    {
        Assert.InRange(table.Buckets.Count, 1, NodeId.Bits);
        var seen = new HashSet<NodeId>();
        for (var i = 0; i < table.Buckets.Count; i++)
        {
            var bucket = table.Buckets[i];
            var last = i == table.Buckets.Count - 1;
            Assert.InRange(bucket.Nodes.Count, 0, table.BucketSize);
            Assert.InRange(bucket.Replacements.Count, 0, table.BucketSize);
            foreach (var node in bucket.Nodes.Concat(bucket.Replacements))
            {
                var cpl = table.Self.CommonPrefixLength(node.Id);
                Assert.True(last ? cpl >= i : cpl == i, $"node with prefix {cpl} in bucket {i} of {table.Buckets.Count}");
                Assert.NotEqual(table.Self, node.Id);
            }
            foreach (var node in bucket.Nodes)
            {
                Assert.True(seen.Add(node.Id), "a node is in the table twice");
                Assert.Same(node, table.Find(node.Id));
                Assert.Same(node, table.Find(node.EndPoint));
                Assert.True(node.HasResponded, "only nodes that answered us are in buckets");
            }
            Assert.Equal(bucket.Replacements.Count, bucket.Replacements.Select(r => r.Id).Distinct().Count());
        }
        Assert.Equal(seen.Count, table.Count);
    }
}
