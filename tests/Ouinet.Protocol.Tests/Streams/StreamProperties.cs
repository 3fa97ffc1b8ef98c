using System.IO.Pipelines;
using Ouinet.Http;
using Ouinet.Protocol.Headers;
using Ouinet.Protocol.Keys;
using Ouinet.Protocol.Streams;
using Ouinet.Protocol.Tests.Support;
using static Ouinet.Protocol.Tests.Streams.StreamHarness;

namespace Ouinet.Protocol.Tests.Streams;

/// <summary>Seeded random loops over the signer, the verifier and the peer writer together.</summary>
public class StreamProperties
{
    private static readonly InjectorPublicKey Trusted = TestKeys.Trusted().PublicKey;

    [Theory(Timeout = 30_000)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(1000)]
    public async Task Sign_then_verify_gives_the_body_back_whole_served_and_in_ranges(int blockSize)
    {
        var ct = TestContext.Current.CancellationToken;
        var random = new Random(blockSize);
        int[] sizes = [0, 1, blockSize - 1, blockSize, blockSize + 1, 3 * blockSize, (3 * blockSize) + 1, random.Next(0, Math.Min(3000, 20 * blockSize))];
        foreach (var size in sizes.Where(s => s >= 0).Distinct())
        {
            var body = SignedResponseReaderTests.RandomBody(size, random.Next());
            var (wire, entry) = await SignAsync(body, blockSize, ct);

            var outcome = await VerifyAsync(wire, Trusted, ct, maxPerRead: random.Next(1, 300));

            var what = $"{size} bytes in blocks of {blockSize}: {outcome}";
            Assert.True(outcome.Succeeded, what);
            Assert.Equal(body, outcome.Body.ToArray());
            Assert.Equal(Math.Max(1, (size + blockSize - 1) / blockSize), outcome.BlockCount);
            Assert.Equal(Text(HeadText.Write(entry.StoredHead)), Text(HeadText.Write(outcome.StoredHead!)));

            // What the verifier hands out is what a store keeps and a peer serves again.
            var served = await VerifyAsync(await ServeAsync(entry.StoredHead, body, outcome.Blocks, null, ct), Trusted, ct, maxPerRead: random.Next(1, 300));
            Assert.True(served.Succeeded, what + " / served: " + served);
            Assert.Equal(body, served.Body.ToArray());

            if (size > 0)
            {
                var first = random.Next(size);
                RangeRequest.Resolve($"bytes={first}-{random.Next(first, size)}", size, blockSize, out var range);
                var ranged = await VerifyAsync(await ServeAsync(entry.StoredHead, body, outcome.Blocks, range, ct), Trusted, ct, maxPerRead: random.Next(1, 300));
                Assert.True(ranged.Succeeded, what + $" / {range.ContentRange}: " + ranged);
                Assert.Equal(body[(int)range.First..(int)(range.Last + 1)], ranged.Body.ToArray());
            }
        }
    }

    public static TheoryData<string, byte> FlipTargets => new()
    {
        { "vectors/hello/injector-stream.http", 0x01 },
        { "vectors/hello/injector-stream.http", 0x20 },
        { "vectors/hello/injector-stream.http", 0x80 },
        { "vectors/hello/peer-stream.http", 0x01 },
        { "vectors/hello/range-6-11.http", 0x01 },
        { "vectors/hello/injector-stream-spec-ext-style.http", 0x01 },
        { "vectors/hello/full-chunked.http", 0x01 },
        { "vectors/empty/injector-stream.http", 0x01 },
    };

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(FlipTargets))]
    public async Task Flipping_any_byte_never_verifies_different_content(string file, byte mask)
    {
        var ct = TestContext.Current.CancellationToken;
        var genuineMessage = File.ReadAllBytes(TestPaths.Vector(file.Split('/')));
        var genuine = await VerifyAsync(genuineMessage, Trusted, ct);
        Assert.True(genuine.Succeeded, genuine.ToString());

        for (var i = 0; i < genuineMessage.Length; i++)
        {
            var message = (byte[])genuineMessage.Clone();
            message[i] ^= mask;

            var outcome = await VerifyAsync(message, Trusted, ct);

            AssertNothingForged(genuine, outcome, $"byte {i} ^ 0x{mask:x2}");
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Flipping_random_bytes_of_a_multi_block_stream_never_verifies_different_content()
    {
        var ct = TestContext.Current.CancellationToken;
        var random = new Random(42);
        var fixture = await SignedFixture.CreateAsync(SignedResponseReaderTests.RandomBody(1000, 5), 256, ct);
        var wire = fixture.Wire();
        var genuine = await VerifyAsync(wire, Trusted, ct);
        Assert.True(genuine.Succeeded, genuine.ToString());

        for (var n = 0; n < 400; n++)
        {
            var message = (byte[])wire.Clone();
            var i = random.Next(message.Length);
            message[i] ^= (byte)random.Next(1, 256);

            var outcome = await VerifyAsync(message, Trusted, ct, maxPerRead: random.Next(1, 500));

            AssertNothingForged(genuine, outcome, $"byte {i}");
        }
    }

    public static TheoryData<string> TruncationTargets => new()
    {
        "vectors/hello/injector-stream.http",
        "vectors/hello/peer-stream.http",
        "vectors/hello/range-6-11.http",
        "vectors/hello/full-chunked.http",
        "vectors/hello/full-content-length.http",
        "vectors/empty/injector-stream.http",
        "vectors/aligned/peer-stream.http",
    };

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(TruncationTargets))]
    public async Task Every_truncation_is_reported_as_truncated(string file)
    {
        var ct = TestContext.Current.CancellationToken;
        var message = File.ReadAllBytes(TestPaths.Vector(file.Split('/')));
        var genuine = await VerifyAsync(message, Trusted, ct);

        for (var length = 0; length < message.Length; length++)
        {
            var outcome = await VerifyAsync(message[..length], Trusted, ct);

            Assert.False(outcome.Succeeded, $"a {length}-byte prefix verified");
            Assert.True(
                outcome.Code == OuinetVerificationError.Truncated || outcome.Error is HttpParseException { Error: HttpParseError.UnexpectedEndOfStream },
                $"a {length}-byte prefix: {outcome}");
            AssertNothingForged(genuine, outcome, $"{length}-byte prefix");
        }
    }

    /// <summary>Every byte handed out is the genuine byte at its place; a success is the genuine content.</summary>
    private static void AssertNothingForged(VerifyOutcome genuine, VerifyOutcome outcome, string what)
    {
        var delivered = outcome.Body.ToArray();
        var expected = genuine.Body.ToArray();
        Assert.True(delivered.Length <= expected.Length && delivered.AsSpan().SequenceEqual(expected.AsSpan(0, delivered.Length)), $"{what}: forged bytes came out ({outcome})");
        if (outcome.Succeeded)
        {
            Assert.Equal(expected, delivered);
            Assert.Equal(genuine.SignedStatus, outcome.SignedStatus);
            Assert.Equal(genuine.Uri, outcome.Uri);
            Assert.Equal(Content(genuine.StoredHead ?? genuine.Head!), Content(outcome.StoredHead ?? outcome.Head!));
        }

        // The entry's content; signatures and an unsigned X-Ouinet-BSigs (spec form) only say how it was checked.
        static string[] Content(HttpResponseHead head) =>
        [
            .. head.Fields
                .Where(f => !OuinetHeaders.IsSignatureField(f.Name) && !f.Name.Equals(OuinetHeaders.BlockSignatures, StringComparison.OrdinalIgnoreCase))
                .Select(f => $"{f.Name.ToLowerInvariant()}: {f.Value}"),
        ];
    }

    private static async Task<(byte[] Wire, SignedEntry Entry)> SignAsync(byte[] body, int blockSize, CancellationToken ct)
    {
        using var key = TestKeys.Trusted();
        var origin = new HttpResponseHead(200);
        origin.Fields.Add("Content-Type", "application/octet-stream");
        var output = new MemoryStream();
        var writer = PipeWriter.Create(output);
        var entry = await ResponseSigner.SignAsync(origin, new MemoryStream(body), key, new ResponseSigningOptions
        {
            Uri = "https://example.com/property",
            Injection = new InjectionHeader("property-0001", Ts),
            BlockSize = blockSize,
            TimeProvider = new FixedTime(Ts + 5),
        }, writer, ct);
        await writer.CompleteAsync();
        return (output.ToArray(), entry!);
    }

    private static async Task<byte[]> ServeAsync(HttpResponseHead storedHead, byte[] body, List<SignedBlock> blocks, BlockRange? range, CancellationToken ct)
    {
        var output = new MemoryStream();
        var pipe = PipeWriter.Create(output);
        var writer = range is { } r
            ? PeerResponseWriter.ForRange(pipe, storedHead, r, r.FirstBlock > 0 ? blocks[(int)r.FirstBlock - 1].Signature.Span : default)
            : PeerResponseWriter.ForEntry(pipe, storedHead);
        await writer.WriteHeadAsync(ct);
        foreach (var block in blocks.Where(b => range is not { } r || (b.Index >= r.FirstBlock && b.Index <= r.LastBlock)))
        {
            await writer.WriteBlockAsync(body.AsMemory((int)block.Offset, block.Size), block, ct);
        }
        await writer.CompleteAsync(ct);
        await pipe.CompleteAsync();
        return output.ToArray();
    }
}
