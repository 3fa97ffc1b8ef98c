using System.Net;
using System.Text;
using Ouinet.Dht.Bencoding;
using Ouinet.Dht.Messages;

namespace Ouinet.Dht.Tests.Messages;

/// <summary>The example messages of BEP 5, byte for byte: each decodes to what BEP 5 says and encodes back to the same bytes.</summary>
public class KrpcExampleTests
{
    private static readonly NodeId Abcdef = new("abcdefghij0123456789"u8);
    private static readonly NodeId Mnopqr = new("mnopqrstuvwxyz123456"u8);

    private static KrpcMessage Decode(string text)
    {
        var error = KrpcDecoder.TryDecode(Encoding.Latin1.GetBytes(text), out var message);
        Assert.Equal(KrpcDecodeError.None, error);
        return message!;
    }

    private static void AssertRoundTrip(string text)
    {
        var message = Decode(text);
        Assert.Equal(text, Encoding.Latin1.GetString(KrpcEncoder.Encode(message)));
    }

    [Fact]
    public void Ping_QueryAndResponse()
    {
        const string query = "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe";
        const string response = "d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re";
        var q = Decode(query);
        Assert.Equal(KrpcMessageType.Query, q.Type);
        Assert.Equal(KrpcMethod.Ping, q.Method);
        Assert.Equal("aa"u8.ToArray(), q.TransactionId);
        Assert.Equal(Abcdef, q.Id);
        var r = Decode(response);
        Assert.Equal(KrpcMessageType.Response, r.Type);
        Assert.Equal(Mnopqr, r.Id);
        AssertRoundTrip(query);
        AssertRoundTrip(response);
    }

    [Fact]
    public void FindNode_Query_RoundTrips_AndTheExampleResponse_HasAnInvalidNodesField()
    {
        const string query = "d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:qe";
        var q = Decode(query);
        Assert.Equal(KrpcMethod.FindNode, q.Method);
        Assert.Equal(Mnopqr, q.Target);
        AssertRoundTrip(query);

        // BEP 5 abbreviates the response's nodes as "def456..." (9 bytes): fine bencode, but not 26-byte node infos.
        const string response = "d1:rd2:id20:0123456789abcdefghij5:nodes9:def456...e1:t2:aa1:y1:re";
        Assert.Equal(response, BencodeDecoder.Decode(Encoding.Latin1.GetBytes(response)).ToString());
        Assert.Equal(KrpcDecodeError.InvalidNodes, KrpcDecoder.TryDecode(Encoding.Latin1.GetBytes(response), out var r));
        Assert.Equal(KrpcMessageType.Response, r!.Type);
    }

    [Fact]
    public void GetPeers_QueryAndResponseWithValues()
    {
        const string query = "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz123456e1:q9:get_peers1:t2:aa1:y1:qe";
        const string values = "d1:rd2:id20:abcdefghij01234567895:token8:aoeusnth6:valuesl6:axje.u6:idhtnmee1:t2:aa1:y1:re";
        var q = Decode(query);
        Assert.Equal(KrpcMethod.GetPeers, q.Method);
        Assert.Equal(Mnopqr, q.InfoHash);
        var r = Decode(values);
        Assert.Equal("aoeusnth"u8.ToArray(), r.Token);
        Assert.Equal(
            [new IPEndPoint(IPAddress.Parse("97.120.106.101"), ('.' << 8) | 'u'), new IPEndPoint(IPAddress.Parse("105.100.104.116"), ('n' << 8) | 'm')],
            r.Values!);
        AssertRoundTrip(query);
        AssertRoundTrip(values);
    }

    [Fact]
    public void AnnouncePeer_WithImpliedPort()
    {
        const string query = "d1:ad2:id20:abcdefghij012345678912:implied_porti1e9:info_hash20:mnopqrstuvwxyz1234564:porti6881e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe";
        var q = Decode(query);
        Assert.Equal(KrpcMethod.AnnouncePeer, q.Method);
        Assert.True(q.ImpliedPort);
        Assert.Equal(6881, q.Port);
        Assert.Equal("aoeusnth"u8.ToArray(), q.Token);
        AssertRoundTrip(query);
        AssertRoundTrip("d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re");
    }

    [Fact]
    public void Error_Example()
    {
        const string error = "d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee";
        var e = Decode(error);
        Assert.Equal(KrpcMessageType.Error, e.Type);
        Assert.Equal(201, e.ErrorCode);
        Assert.Equal("A Generic Error Ocurred", e.ErrorMessage);
        AssertRoundTrip(error);
    }
}
