using System.IO.Pipelines;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Ouinet.Http;
using Ouinet.Protocol.Headers;
using Ouinet.Protocol.Keys;
using Ouinet.Protocol.Streams;

namespace Ouinet.Benchmarks;

/// <summary>
/// Signing and verifying a 64 MiB response as streams, side by side with the floor they cannot beat: SHA-512 over the
/// body (the block hashes) plus SHA-256 over it (the Digest), on the same buffer, in one run.
/// </summary>
[MemoryDiagnoser]
public class ProtocolStreamBenchmarks
{
    private const int BodySize = 64 * 1024 * 1024;
    private byte[] _body = [];
    private byte[] _signedStream = [];
    private InjectorPrivateKey _key = null!;
    private HttpResponseHead _origin = null!;

    [GlobalSetup]
    public void Setup()
    {
        _body = new byte[BodySize];
        new Random(64).NextBytes(_body);
        _key = InjectorPrivateKey.FromSeed(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        _origin = new HttpResponseHead(200);
        _origin.Fields.Add("Content-Type", "application/octet-stream");
        var output = new MemoryStream();
        var writer = PipeWriter.Create(output);
        ResponseSigner.SignAsync(_origin, new MemoryStream(_body), _key, Options(), writer).AsTask().GetAwaiter().GetResult();
        writer.Complete();
        _signedStream = output.ToArray();
    }

    [GlobalCleanup]
    public void Cleanup() => _key.Dispose();

    [Benchmark(Baseline = true, Description = "raw SHA-512 + SHA-256 (the limit)")]
    public int RawHashes()
    {
        Span<byte> sha512 = stackalloc byte[64];
        Span<byte> sha256 = stackalloc byte[32];
        SHA512.HashData(_body, sha512);
        SHA256.HashData(_body, sha256);
        return sha512[0] + sha256[0];
    }

    [Benchmark(Description = "sign stream (ResponseSigner)")]
    public async Task<long> SignStream()
    {
        var sink = PipeWriter.Create(Stream.Null);
        var entry = await ResponseSigner.SignAsync(_origin, new MemoryStream(_body, writable: false), _key, Options(), sink);
        await sink.CompleteAsync();
        return entry!.DataSize;
    }

    [Benchmark(Description = "verify stream (SignedResponseReader)")]
    public async Task<long> VerifyStream()
    {
        await using var http = HttpMessageReader.Create(new MemoryStream(_signedStream, writable: false));
        var head = await http.ReadResponseHeadAsync();
        using var reader = await SignedResponseReader.OpenAsync(head, http.ReadResponseBody(head, "GET"), _key.PublicKey);
        long total = 0;
        while (await reader.ReadBlockAsync() is { } block)
        {
            total += block.Data.Length;
        }
        return total;
    }

    private static ResponseSigningOptions Options() => new()
    {
        Uri = "https://example.com/big.bin",
        Injection = new InjectionHeader("bench-0001", 1584748800),
    };
}
