using System.Net;
using BenchmarkDotNet.Attributes;
using Ouinet.Dht;
using Ouinet.Dht.Bencoding;
using Ouinet.Dht.Messages;

namespace Ouinet.Benchmarks.Dht;

/// <summary>The per-datagram work of the DHT: decoding and encoding a full get_peers response (8 nodes, 50 values).</summary>
[MemoryDiagnoser]
public class DhtCodecBenchmarks
{
    private KrpcMessage _response = null!;
    private byte[] _datagram = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(5);
        NodeId Id()
        {
            var b = new byte[20];
            random.NextBytes(b);
            return new NodeId(b);
        }
        _response = new KrpcMessage
        {
            TransactionId = [1, 2],
            Type = KrpcMessageType.Response,
            Id = Id(),
            Nodes = [.. Enumerable.Range(0, 8).Select(i => new NodeInfo(Id(), new IPEndPoint(IPAddress.Parse($"198.51.100.{i + 1}"), 6881 + i)))],
            Token = [1, 2, 3, 4, 5, 6, 7, 8],
            Values = [.. Enumerable.Range(0, 50).Select(i => new IPEndPoint(IPAddress.Parse($"203.0.113.{i + 1}"), 51413))],
            RequesterEndPoint = IPEndPoint.Parse("192.0.2.1:6881"),
            Version = "OU\0\u0001"u8.ToArray(),
        };
        _datagram = KrpcEncoder.Encode(_response);
    }

    [Benchmark(Description = "KRPC decode (get_peers response, 8 nodes + 50 values)")]
    public int Decode() => KrpcDecoder.TryDecode(_datagram, out var m) == KrpcDecodeError.None ? m!.Values!.Count : -1;

    [Benchmark(Description = "KRPC encode (same message)")]
    public int Encode() => KrpcEncoder.Encode(_response).Length;

    [Benchmark(Description = "bencode tree decode (same bytes)")]
    public int DecodeTree() => ((BencodeDictionary)BencodeDecoder.Decode(_datagram, BencodeLimits.Krpc)).Count;
}
