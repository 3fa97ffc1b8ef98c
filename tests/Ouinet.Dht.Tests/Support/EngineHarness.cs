using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Ouinet.Dht.Engine;
using Ouinet.Dht.Messages;

namespace Ouinet.Dht.Tests.Support;

/// <summary>
/// One engine with a scripted world around it: the test plays the other nodes by handing it datagrams and reading
/// what it sent. Time is a <see cref="FakeTimeProvider"/>; nothing runs unless the test says so.
/// </summary>
internal sealed class EngineHarness : IDhtHost
{
    public static readonly IPEndPoint Local = IPEndPoint.Parse("127.0.0.1:6881");

    private EngineHarness(DhtOptions options, IPEndPoint local)
    {
        Engine = new DhtEngine(options, this, local, Time, DhtRandom.Seeded(42), NullLogger.Instance);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public DhtEngine Engine { get; }

    public List<(byte[] Datagram, IPEndPoint To)> Sent { get; } = [];

    public static EngineHarness Create(DhtOptions? options = null, IPEndPoint? local = null) =>
        new((options ?? new DhtOptions()) with { UseDefaultBootstrapRouters = false }, local ?? Local);

    public void Send(byte[] datagram, IPEndPoint to) => Sent.Add((datagram, to));

    public void RequestWake(long dueMs)
    {
    }

    /// <summary>Moves time on in 100 ms steps, letting the engine run its due timers as a real timer would.</summary>
    public void Advance(TimeSpan by)
    {
        var step = TimeSpan.FromMilliseconds(100);
        for (var left = by; left > TimeSpan.Zero; left -= step)
        {
            Time.Advance(left < step ? left : step);
            Engine.OnTimer();
        }
    }

    /// <summary>
    /// Delivers a datagram and returns the answer the engine sent back to that endpoint (decoded), if any. Queries of
    /// its own (a ping to prove a new querier) are not answers.
    /// </summary>
    public KrpcMessage? Deliver(byte[] datagram, IPEndPoint from)
    {
        var before = Sent.Count;
        Engine.OnDatagram(datagram, from);
        var replies = SentSince(before).Where(s => s.To.Equals(from) && s.Message.Type != KrpcMessageType.Query).ToList();
        Assert.True(replies.Count <= 1, "one query, at most one answer");
        return replies.Count == 0 ? null : replies[0].Message;
    }

    public KrpcMessage? Deliver(KrpcMessage message, IPEndPoint from) => Deliver(KrpcEncoder.Encode(message), from);

    /// <summary>The messages the engine sent since <paramref name="since"/>, decoded.</summary>
    public List<(KrpcMessage Message, IPEndPoint To)> SentSince(int since) =>
        [.. Sent.Skip(since).Select(s =>
        {
            KrpcDecoder.TryDecode(s.Datagram, out var m);
            return (m!, s.To);
        })];

    public static KrpcMessage Query(KrpcMethod method, NodeId sender, NodeId? target = null, NodeId? infoHash = null,
        byte[]? token = null, int? port = null, bool impliedPort = false, bool readOnly = false, string tid = "aa") => new()
        {
            TransactionId = System.Text.Encoding.ASCII.GetBytes(tid),
            Type = KrpcMessageType.Query,
            Method = method,
            Id = sender,
            Target = target,
            InfoHash = infoHash,
            Token = token,
            Port = port,
            ImpliedPort = impliedPort,
            ReadOnly = readOnly,
        };

    public static KrpcMessage Response(byte[] transactionId, NodeId sender, IReadOnlyList<NodeInfo>? nodes = null, byte[]? token = null,
        IReadOnlyList<IPEndPoint>? values = null, IPEndPoint? requester = null) => new()
        {
            TransactionId = transactionId,
            Type = KrpcMessageType.Response,
            Id = sender,
            Nodes = nodes,
            Token = token,
            Values = values,
            RequesterEndPoint = requester,
        };

    public static NodeId IdFrom(byte first, byte last = 0)
    {
        var bytes = new byte[NodeId.Size];
        bytes[0] = first;
        bytes[19] = last;
        return new NodeId(bytes);
    }
}
