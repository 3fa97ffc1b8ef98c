using System.Buffers;
using Ouinet.Http;
using Ouinet.Protocol.Blocks;
using Ouinet.Protocol.Headers;
using Ouinet.Protocol.Streams;
using Ouinet.Protocol.Tests.Support;

namespace Ouinet.Protocol.Tests.Streams;

/// <summary>A body signed with the trusted key, which tests can put on the wire chunked as they like.</summary>
internal sealed class SignedFixture
{
    private SignedFixture(HttpResponseHead head, List<(byte[] Data, SignedBlock Block)> blocks, SignedEntry entry, byte[] body)
    {
        Head = head;
        Blocks = blocks;
        Entry = entry;
        Body = body;
    }

    public HttpResponseHead Head { get; }

    public List<(byte[] Data, SignedBlock Block)> Blocks { get; }

    public SignedEntry Entry { get; }

    public byte[] Body { get; }

    public static async Task<SignedFixture> CreateAsync(byte[] body, int blockSize, CancellationToken cancellationToken)
    {
        using var key = TestKeys.Trusted();
        var origin = new HttpResponseHead(200);
        origin.Fields.Add("Content-Type", "application/octet-stream");
        var signer = new EntrySigner(origin, key, new ResponseSigningOptions
        {
            Uri = "https://example.com/fixture",
            Injection = new InjectionHeader("fixture-0001", StreamHarness.Ts),
            BlockSize = blockSize,
            TimeProvider = new FixedTime(StreamHarness.Ts),
        });
        var blocks = new List<(byte[], SignedBlock)>();
        var entry = await signer.SignBodyAsync(new MemoryStream(body), (block, data, _) =>
        {
            blocks.Add((data.ToArray(), block));
            return ValueTask.CompletedTask;
        }, cancellationToken);
        return new SignedFixture(signer.InjectorHead, blocks, entry, body);
    }

    /// <summary>
    /// The injector stream, each block cut into chunks of the sizes <paramref name="split"/> gives for it (whole
    /// blocks by default). <c>ouisig(i)</c> rides on the first chunk line after block <c>i</c>.
    /// </summary>
    public byte[] Wire(Func<int, int, int[]>? split = null)
    {
        var output = new ArrayBufferWriter<byte>();
        HttpWriter.WriteResponseHead(output, Head);
        byte[]? pending = null;
        for (var k = 0; k < Blocks.Count; k++)
        {
            var data = Blocks[k].Data;
            var offset = 0;
            foreach (var size in split?.Invoke(k, data.Length) ?? (data.Length == 0 ? [] : [data.Length]))
            {
                HttpWriter.WriteChunkHeader(output, size, pending is null ? null : [OuinetChunkExtensions.Create(OuinetChunkExtensions.BlockSignature, pending)]);
                pending = null;
                output.Write(data.AsSpan(offset, size));
                HttpWriter.WriteChunkEnd(output);
                offset += size;
            }
            Assert.Equal(data.Length, offset);
            pending = Blocks[k].Block.Signature.ToArray();
        }
        HttpWriter.WriteLastChunk(output, [OuinetChunkExtensions.Create(OuinetChunkExtensions.BlockSignature, pending!)], Entry.Trailer);
        return output.WrittenSpan.ToArray();
    }
}
