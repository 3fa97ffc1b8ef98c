using Ouinet.Cache.Storage;
using Ouinet.Cache.Store;
using Ouinet.Http;
using Ouinet.Protocol;
using Ouinet.Protocol.Blocks;
using Ouinet.Protocol.Canonicalization;
using Ouinet.Protocol.Headers;
using Ouinet.Protocol.Keys;
using Ouinet.Protocol.Signatures;

namespace Ouinet.Cache.Tests.Support;

/// <summary>A complete signed entry as the store receives it: the stored head, the body and one sigs line per block.</summary>
internal sealed record SignedEntry(string Uri, HttpResponseHead StoredHead, byte[] Body, int BlockSize, IReadOnlyList<SigsLine> Sigs)
{
    public static IReadOnlyList<string> VectorNames { get; } = ["hello", "big", "empty", "redirect", "aligned"];

    /// <summary>A vector entry from <c>stored-head.http</c>, <c>body.bin</c> and <c>sigs</c>.</summary>
    public static SignedEntry FromVector(string name)
    {
        var head = HeadFile.TryParse(File.ReadAllBytes(TestPaths.Vector("vectors", name, "stored-head.http")), out var error)
            ?? throw new InvalidOperationException(error);
        Assert.True(SigsFile.TryRead(TestPaths.Vector("vectors", name, "sigs"), 1000, out var lines, out error), error);
        Assert.True(BlockSignaturesHeader.TryParse(head.Fields.Get(OuinetHeaders.BlockSignatures), out var bsigs, out _));
        return new SignedEntry(head.Fields.Get(OuinetHeaders.Uri)!, head, File.ReadAllBytes(TestPaths.Vector("vectors", name, "body.bin")), bsigs.BlockSize, lines);
    }

    /// <summary>Signs <paramref name="body"/> for <paramref name="uri"/> as an injector would, in the C++ form (C1 for an empty body).</summary>
    public static SignedEntry Create(InjectorPrivateKey key, string uri, byte[] body, int blockSize, string? injectionId = null, long timestamp = 1584748800)
    {
        var origin = new HttpResponseHead(200, "OK");
        origin.Fields.Add("Date", "Sat, 21 Mar 2020 00:00:00 GMT");
        origin.Fields.Add("Content-Type", "application/octet-stream");
        var injection = new InjectionHeader(injectionId ?? InjectionHeader.NewId(), timestamp);
        var head = InjectorHead.CreateEntry(origin, uri, injection, ProtocolVersion.Current, BlockSignaturesHeader.For(key.PublicKey, blockSize));
        var chain = new ChainHasher(injection.Id, blockSize);
        var lines = new List<SigsLine>();
        var offset = 0;
        do
        {
            var block = body.AsSpan(offset, Math.Min(blockSize, body.Length - offset));
            var previous = chain.PreviousChainedHash.ToArray();
            var (chained, signature) = chain.SignNext(key, block);
            lines.Add(SigsLine.Create(chained.Offset, signature, chained.Hash.Span, previous));
            offset += block.Length;
        }
        while (offset < body.Length);
        var trailer = new HttpFields();
        trailer.Add(OuinetHeaders.DataSize, DataSizeHeader.Format(body.Length));
        trailer.Add(OuinetHeaders.Digest, DigestHeader.Compute(body).Format());
        var sig1 = HeadSigner.SignFull(key, head, trailer, timestamp);
        foreach (var field in trailer)
        {
            head.Fields.Add(field.Name, field.Value);
        }
        head.Fields.Add(OuinetHeaders.Sig1, sig1.Format());
        return new SignedEntry(uri, head, body, blockSize, lines);
    }

    /// <summary>Writes and commits the entry through <paramref name="store"/>.</summary>
    public async Task WriteAsync(SignedStore store, string? group, CancellationToken cancellationToken, string? bodyPath = null)
    {
        await using var writer = store.BeginEntry(Uri);
        await AppendAsync(writer, cancellationToken, bodyPath).ConfigureAwait(false);
        await writer.CommitAsync(StoredHead, group, cancellationToken).ConfigureAwait(false);
    }

    public async Task AppendAsync(EntryWriter writer, CancellationToken cancellationToken, string? bodyPath = null)
    {
        if (bodyPath is not null)
        {
            writer.UseBodyPath(bodyPath);
        }
        for (var i = 0; i < Sigs.Count; i++)
        {
            if (bodyPath is not null)
            {
                await writer.AppendSigsLineAsync(Sigs[i], cancellationToken).ConfigureAwait(false);
                continue;
            }
            var offset = i * BlockSize;
            var data = Body.AsMemory(offset, Math.Min(BlockSize, Body.Length - offset));
            await writer.AppendBlockAsync(data, Sigs[i], cancellationToken).ConfigureAwait(false);
        }
    }
}
