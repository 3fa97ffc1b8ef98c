using System.IO.Pipelines;
using System.Security.Cryptography;
using Ouinet.Http;
using Ouinet.Protocol.Headers;
using Ouinet.Protocol.Streams;
using Ouinet.Protocol.Tests.Support;

namespace Ouinet.Protocol.Tests.Streams;

/// <summary>Tests that measure the process's allocations run alone.</summary>
[CollectionDefinition(nameof(AllocationSensitive), DisableParallelization = true)]
public sealed class AllocationSensitive;

[Collection(nameof(AllocationSensitive))]
public class LargeStreamTests
{
    private const long BodySize = 64L * 1024 * 1024;

    [Fact(Timeout = 60_000)]
    public async Task A_64_MiB_body_signs_and_verifies_through_a_pipe_with_bounded_allocation()
    {
        var ct = TestContext.Current.CancellationToken;
        using var key = TestKeys.Trusted();
        var origin = new HttpResponseHead(200);
        origin.Fields.Add("Content-Type", "application/octet-stream");
        var options = new ResponseSigningOptions
        {
            Uri = "https://example.com/large.bin",
            Injection = new InjectionHeader("large-0001", StreamHarness.Ts),
            TimeProvider = new FixedTime(StreamHarness.Ts),
        };
        var expected = ExpectedSha256();
        // Small pipe thresholds: the signer must wait for the verifier, so neither side can run ahead and buffer.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 256 * 1024, resumeWriterThreshold: 128 * 1024));
        using var verified = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long blocks = 0, bytes = 0;

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var signing = Task.Run(
            async () =>
            {
                await ResponseSigner.SignAsync(origin, new PatternStream(BodySize), key, options, pipe.Writer, ct);
                await pipe.Writer.CompleteAsync();
            },
            ct);
        await using (var http = new HttpMessageReader(pipe.Reader))
        {
            var head = await http.ReadResponseHeadAsync(ct);
            using var reader = await SignedResponseReader.OpenAsync(head, http.ReadResponseBody(head, "GET"), key.PublicKey, null, ct);
            while (await reader.ReadBlockAsync(ct) is { } block)
            {
                verified.AppendData(block.Data.Span);
                bytes += block.Data.Length;
                blocks++;
            }
            Assert.Equal(BodySize, reader.DataSize);
        }
        await signing;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(BodySize, bytes);
        Assert.Equal(BodySize / options.BlockSize, blocks);
        Assert.Equal(expected, verified.GetHashAndReset());
        TestContext.Current.TestOutputHelper?.WriteLine($"allocated {allocated} bytes for a {BodySize}-byte body");
        // About 2 KiB per 64 KiB block on each side (hashes, signatures, extension strings): 3% of the data.
        Assert.True(allocated < BodySize / 8, $"allocated {allocated} bytes for a {BodySize}-byte body");
    }

    private static byte[] ExpectedSha256()
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var source = new PatternStream(BodySize);
        var buffer = new byte[1 << 16];
        int n;
        while ((n = source.Read(buffer)) > 0)
        {
            sha.AppendData(buffer.AsSpan(0, n));
        }
        return sha.GetHashAndReset();
    }

    /// <summary>A body of <paramref name="length"/> bytes, byte <c>i</c> = <c>i mod 251</c>, made as it is read.</summary>
    private sealed class PatternStream(long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, length - _position);
            var value = (int)(_position % 251);
            for (var i = 0; i < n; i++)
            {
                buffer[i] = (byte)value;
                value = value == 250 ? 0 : value + 1;
            }
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
