using System.Net;
using System.Text;
using Ouinet.Dht.Messages;

namespace Ouinet.Dht.Tests.Messages;

public class KrpcDecoderTests
{
    private static (KrpcDecodeError Error, KrpcMessage? Message) Decode(string text)
    {
        var error = KrpcDecoder.TryDecode(Encoding.Latin1.GetBytes(text), out var message);
        return (error, message);
    }

    private const string Id = "abcdefghij0123456789";

    [Theory]
    [InlineData("not bencode", KrpcDecodeError.Bencode)]
    [InlineData("le", KrpcDecodeError.NotADictionary)]
    [InlineData("d1:y1:qe", KrpcDecodeError.MissingTransactionId)]
    [InlineData("d1:t2:aae", KrpcDecodeError.MissingType)]
    [InlineData("d1:t2:aa1:y1:xe", KrpcDecodeError.UnknownType)]
    [InlineData("d1:t21:1234567890123456789011:y1:qe", KrpcDecodeError.TransactionIdTooLong)]
    [InlineData("d1:t2:aa1:t2:bb1:y1:qe", KrpcDecodeError.DuplicateKey)]
    public void Unanswerable_Messages_GiveNoMessage(string text, KrpcDecodeError expected)
    {
        var (error, message) = Decode(text);
        Assert.Equal(expected, error);
        Assert.Null(message);
    }

    [Theory]
    [InlineData("d1:t2:aa1:y1:qe", KrpcDecodeError.MissingQueryName)]
    [InlineData("d1:q4:ping1:t2:aa1:y1:qe", KrpcDecodeError.MissingArguments)]
    [InlineData("d1:ade1:q4:ping1:t2:aa1:y1:qe", KrpcDecodeError.MissingId)]
    [InlineData("d1:ad2:id3:abce1:q4:ping1:t2:aa1:y1:qe", KrpcDecodeError.InvalidId)]
    [InlineData("d1:ad2:id20:" + Id + "e1:q9:find_node1:t2:aa1:y1:qe", KrpcDecodeError.MissingTarget)]
    [InlineData("d1:ad2:id20:" + Id + "e1:q9:get_peers1:t2:aa1:y1:qe", KrpcDecodeError.MissingInfoHash)]
    [InlineData("d1:ad2:id20:" + Id + "9:info_hash20:" + Id + "4:porti6881ee1:q13:announce_peer1:t2:aa1:y1:qe", KrpcDecodeError.MissingToken)]
    [InlineData("d1:ad2:id20:" + Id + "9:info_hash20:" + Id + "4:porti0e5:token2:xxe1:q13:announce_peer1:t2:aa1:y1:qe", KrpcDecodeError.InvalidPort)]
    [InlineData("d1:ad2:id20:" + Id + "9:info_hash20:" + Id + "4:porti70000e5:token2:xxe1:q13:announce_peer1:t2:aa1:y1:qe", KrpcDecodeError.InvalidPort)]
    [InlineData("d1:ad2:id20:" + Id + "9:info_hash20:" + Id + "5:token2:xxe1:q13:announce_peer1:t2:aa1:y1:qe", KrpcDecodeError.InvalidPort)]
    [InlineData("d1:ad2:id20:" + Id + "4:port3:abce1:q4:ping1:t2:aa1:y1:qe", KrpcDecodeError.InvalidPort)]
    public void MalformedQueries_KeepTheTransactionId_SoTheyCanBeAnsweredWith203(string text, KrpcDecodeError expected)
    {
        var (error, message) = Decode(text);
        Assert.Equal(expected, error);
        Assert.Equal("aa"u8.ToArray(), message!.TransactionId);
        Assert.Equal(KrpcMessageType.Query, message.Type);
    }

    [Fact]
    public void ImpliedPort_MakesPortOptional()
    {
        var (error, message) = Decode("d1:ad2:id20:" + Id + "12:implied_porti1e9:info_hash20:" + Id + "5:token2:xxe1:q13:announce_peer1:t2:aa1:y1:qe");
        Assert.Equal(KrpcDecodeError.None, error);
        Assert.True(message!.ImpliedPort);
        Assert.Null(message.Port);
    }

    [Fact]
    public void UnknownMethod_IsAQuery_WithNoError_WhateverItsArguments()
    {
        var (error, message) = Decode("d1:ad6:target3:xyze1:q9:vote_item1:t2:aa1:y1:qe");
        Assert.Equal(KrpcDecodeError.None, error);
        Assert.Equal(KrpcMethod.Unknown, message!.Method);
        Assert.Equal("vote_item", message.MethodName);
    }

    [Fact]
    public void LibtorrentErrorReply_WithAnRDictionary_IsAnError()
    {
        // libtorrent 2.0 sends {e: [203, "invalid token"], r: {id, p}} (see shared/interop/README.md).
        var (error, message) = Decode("d1:eli203e13:invalid tokene1:rd2:id20:" + Id + "1:pi6881ee1:t2:aa1:v4:LT\u0002\u00081:y1:ee");
        Assert.Equal(KrpcDecodeError.None, error);
        Assert.Equal(KrpcMessageType.Error, message!.Type);
        Assert.Equal(203, message.ErrorCode);
        Assert.Equal("invalid token", message.ErrorMessage);
    }

    [Fact]
    public void ResponseExtras_UnknownKeysAndIpAndIpv6Values_AreHandled()
    {
        // ip (BEP 42), p (libtorrent), nodes6 (BEP 32), an 18-byte IPv6 value: kept, skipped, skipped, skipped.
        var ipv6Value = new string('6', 18);
        var (error, message) = Decode("d2:ip6:\u007f\u0000\u0000\u0001\u001a\u00e11:rd2:id20:" + Id + "6:nodes60:1:pi6881e5:token4:abcd6:valuesl6:\u007f\u0000\u0000\u0001\u0000\u000118:" + ipv6Value + "ee1:t2:aa1:v4:LT\u0002\u00081:y1:re");
        Assert.Equal(KrpcDecodeError.None, error);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 6881), message!.RequesterEndPoint);
        Assert.Equal([new IPEndPoint(IPAddress.Loopback, 1)], message.Values!);
        Assert.Equal("LT\u0002\u0008"u8.ToArray(), message.Version);
    }

    [Fact]
    public void ResponseWithoutId_IsRefused()
    {
        Assert.Equal(KrpcDecodeError.MissingId, Decode("d1:rde1:t2:aa1:y1:re").Error);
        Assert.Equal(KrpcDecodeError.MissingResponse, Decode("d1:t2:aa1:y1:re").Error);
        Assert.Equal(KrpcDecodeError.InvalidError, Decode("d1:e3:bad1:t2:aa1:y1:ee").Error);
    }

    [Fact]
    public void ReadOnlyFlag_IsUnderstood()
    {
        var (error, message) = Decode("d1:ad2:id20:" + Id + "e1:q4:ping2:roi1e1:t2:aa1:y1:qe");
        Assert.Equal(KrpcDecodeError.None, error);
        Assert.True(message!.ReadOnly);
        Assert.Equal("d1:ad2:id20:" + Id + "e1:q4:ping2:roi1e1:t2:aa1:y1:qe", Encoding.Latin1.GetString(KrpcEncoder.Encode(message)));
    }

    [Fact]
    public void NodesOfTheWrongLength_AreRefused_AndWholeOnesDecode()
    {
        var node = Id + "\u007f\u0000\u0000\u0001\u001a\u00e1";
        var (ok, message) = Decode("d1:rd2:id20:" + Id + "5:nodes52:" + node + node + "e1:t2:aa1:y1:re");
        Assert.Equal(KrpcDecodeError.None, ok);
        Assert.Equal(2, message!.Nodes!.Count);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 6881), message.Nodes[0].EndPoint);
        Assert.Equal(KrpcDecodeError.InvalidNodes, Decode("d1:rd2:id20:" + Id + "5:nodes27:" + node + "xe1:t2:aa1:y1:re").Error);
    }

    [Fact]
    public void OversizedDatagram_IsRefusedBeforeParsing()
    {
        var big = "d1:t2:aa1:y1:q1:x5000:" + new string('x', 5000) + "e";
        Assert.Equal(KrpcDecodeError.Bencode, Decode(big).Error);
    }
}
