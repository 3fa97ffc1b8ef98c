using System.Net;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Ouinet.Dht.Routing;

namespace Ouinet.Dht.Tests.Routing;

/// <summary>Random sequences of what the network does to a table (answers, queries, rumours, failures, time): the invariants hold throughout.</summary>
public class RoutingTableProperties
{
    public sealed record Op(int Kind, byte[] Id, int Host, int Minutes);

    private static readonly Gen<Op> Ops =
        from kind in Gen.Choose(0, 4)
        from id in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), 20)
        from prefixZeros in Gen.Choose(0, 24)
        from host in Gen.Choose(0, 63)
        from minutes in Gen.Choose(0, 20)
        select new Op(kind, ZeroPrefix(id, prefixZeros), host, minutes);

    // Many IDs near ours (which is all zeros but one bit), so that the last bucket splits deep.
    private static byte[] ZeroPrefix(byte[] id, int bits)
    {
        for (var b = 0; b < bits; b++)
        {
            id[b / 8] &= (byte)~(0x80 >> (b % 8));
        }
        return id;
    }

    [Property(MaxTest = 100)]
    public Property Invariants_HoldUnderAnySequence() =>
        Prop.ForAll(Gen.ListOf(Ops).Select(l => l.ToArray()).ToArbitrary(), ops =>
        {
            var self = NodeId.Parse("0000000000000000000000000000000000000001");
            var table = new RoutingTable(self, 8, 15 * 60_000, 2, true, 0);
            long now = 0;
            foreach (var op in ops)
            {
                var id = new NodeId(op.Id);
                var ep = new IPEndPoint(IPAddress.Parse($"127.0.0.{op.Host + 1}"), 6881 + (op.Id[19] % 4));
                switch (op.Kind)
                {
                    case 0:
                        table.OnResponded(id, ep, op.Id[18] % 2 == 0, now);
                        break;
                    case 1:
                        table.OnQueried(id, ep, true, now);
                        break;
                    case 2:
                        table.OnHeardAbout(id, ep, true, now);
                        break;
                    case 3:
                        var victim = table.Contacts.Skip(op.Host % Math.Max(1, table.Count)).FirstOrDefault();
                        if (victim is not null)
                        {
                            table.OnFailed(victim.Id, victim.EndPoint, now);
                        }
                        break;
                    default:
                        now += op.Minutes * 60_000L;
                        break;
                }
                RoutingTableTests.AssertInvariants(table);
            }
            return true;
        });
}
