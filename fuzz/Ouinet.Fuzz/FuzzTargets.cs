using System.Buffers;
using System.Text;
using Ouinet.Cache.Storage;
using Ouinet.Cli.Configuration;
using Ouinet.Http;
using Ouinet.Protocol;
using Ouinet.Protocol.Headers;
using Ouinet.Protocol.Streams;
using Ouinet.Protocol.Keys;
using Ouinet.Protocol.Signatures;

namespace Ouinet.Fuzz;

/// <summary>Every decoder of untrusted input, registered by name for <c>fuzz/run.sh</c> and the smoke tests.</summary>
public static class FuzzTargets
{
    private static readonly Func<Exception, bool> HttpErrorsOnly = e => e is HttpParseException;
    private static readonly Func<Exception, bool> None = _ => false;

    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("http-request-head", "HTTP request line and header fields", RequestHead, HttpErrorsOnly),
        new("http-response-head", "HTTP status line and header fields", ResponseHead, HttpErrorsOnly),
        new("http-chunk-line", "chunk-size line with extensions (ouisig, ouipsig, ouihash)", ChunkLine, HttpErrorsOnly),
        new("http-message", "a whole response read through the streaming reader: head, body framing, chunks, trailers", Message, HttpErrorsOnly),
        new("signature-header", "X-Ouinet-Sig0/Sig1 hs2019 values", SignatureHeader, None),
        new("ouinet-headers", "X-Ouinet-Injection, X-Ouinet-BSigs, Digest, X-Ouinet-Data-Size, keyIds and public keys", OuinetHeaders, None),
        new("sigs-line", "one line of a data-v3 sigs file", SigsLineTarget, None),
        new("config-file", "key = value config files", Config, e => e is ConfigFileException),
        new("signed-stream", "a signed response from a peer or injector, verified while it streams", SignedStream,
            e => e is OuinetVerificationException or HttpParseException),
        new("head-file", "a data-v3 head file", HeadFileTarget, None),
        new("utp-packet", "a uTP (BEP 29) datagram: header and extension chain", UtpFuzzing.Packet, None),
        new("utp-connection", "datagrams from one uTP peer into a live connection (accepting or connecting), clock stepped between them",
            UtpFuzzing.Connection, None),
    ];

    // The vectors' trusted key: mutated vector streams then reach deep into the verifier. Lazy: instrumented code must
    // not run before SharpFuzz has set up its shared memory (a static initializer would, and crash the fork server).
    private static readonly Lazy<InjectorPublicKey> TrustedKey = new(() => InjectorPublicKey.Parse("03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"));

    public static FuzzTarget Find(string name) =>
        All.FirstOrDefault(t => t.Name == name) ?? throw new ArgumentException($"No fuzz target \"{name}\". Targets: {string.Join(", ", All.Select(t => t.Name))}");

    private static void RequestHead(byte[] input)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(input));
        _ = HttpHeadParser.TryParseRequestHead(ref reader, HttpLimits.Default, out _);
    }

    private static void ResponseHead(byte[] input)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(input));
        _ = HttpHeadParser.TryParseResponseHead(ref reader, HttpLimits.Default, out _);
    }

    private static void ChunkLine(byte[] input)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(input));
        _ = ChunkedParser.TryReadChunkHeader(ref reader, HttpLimits.Default, fromServer: true, out _, out _);
    }

    private static void Message(byte[] input)
    {
        // Small limits so the fuzzer reaches them; the reader must stay within them whatever the input.
        var limits = HttpLimits.Default with { MaxHeadBytes = 2048, MaxChunkLineBytes = 512, MaxTrailerBytes = 1024, MaxBodyBytes = 1 << 20 };
        Task.Run(async () =>
        {
            await using var reader = HttpMessageReader.Create(new MemoryStream(input), limits);
            var head = await reader.ReadResponseHeadAsync();
            var body = reader.ReadResponseBody(head, "GET");
            long total = 0;
            while (true)
            {
                var part = await body.ReadAsync();
                if (part.Kind == HttpBodyPartKind.End)
                {
                    break;
                }
                total += part.Data.Length;
                if (total > limits.MaxBodyBytes)
                {
                    throw new InvalidOperationException("The reader passed on more body bytes than its limit.");
                }
            }
        }).GetAwaiter().GetResult();
    }

    private static void SignatureHeader(byte[] input)
    {
        if (HttpSignature.TryParse(Latin1(input), out var signature, out _))
        {
            // Whatever parses must format to something that parses to the same value.
            if (!HttpSignature.TryParse(signature.Format(), out var again, out _) || again.Format() != signature.Format())
            {
                throw new InvalidOperationException("HttpSignature does not round-trip.");
            }
        }
    }

    private static void OuinetHeaders(byte[] input)
    {
        var text = Latin1(input);
        if (InjectionHeader.TryParse(text, out var injection, out _) && !InjectionHeader.TryParse(injection.Format(), out _, out _))
        {
            throw new InvalidOperationException("InjectionHeader does not round-trip.");
        }
        if (BlockSignaturesHeader.TryParse(text, out var bsigs, out _) && !BlockSignaturesHeader.TryParse(bsigs.Format(), out _, out _))
        {
            throw new InvalidOperationException("BlockSignaturesHeader does not round-trip.");
        }
        if (DigestHeader.TryParse(text, out var digest, out _) && !DigestHeader.TryParse(digest.Format(), out _, out _))
        {
            throw new InvalidOperationException("DigestHeader does not round-trip.");
        }
        _ = DataSizeHeader.TryParse(text, out _);
        _ = InjectorPublicKey.TryParseKeyId(text, out _, out _);
        _ = InjectorPublicKey.TryParse(text, out _, out _);
    }

    private static void SigsLineTarget(byte[] input)
    {
        var line = SigsLine.TryParse(input, out _);
        if (line is not null && !Encoding.ASCII.GetBytes(line.Format()).AsSpan(0, SigsLine.TextLength).SequenceEqual(input))
        {
            throw new InvalidOperationException("A parsed sigs line does not format back to its bytes.");
        }
    }

    private static void SignedStream(byte[] input)
    {
        Task.Run(async () =>
        {
            var limits = HttpLimits.Default with { MaxHeadBytes = 8192, MaxChunkLineBytes = 1024, MaxTrailerBytes = 4096 };
            await using var http = HttpMessageReader.Create(new MemoryStream(input), limits);
            var head = await http.ReadResponseHeadAsync();
            var options = new SignedResponseOptions { MaxSpoolBytes = 1 << 20 };
            using var reader = await SignedResponseReader.OpenAsync(head, http.ReadResponseBody(head, "GET"), TrustedKey.Value, options);
            long released = 0;
            while (await reader.ReadBlockAsync() is { } block)
            {
                released += block.Data.Length;
            }
            // Anything that verified must be consistent with what it claims.
            if (reader.Kind == SignedResponseKind.Stream && released != reader.DataSize)
            {
                throw new InvalidOperationException($"Verified {released} bytes of an entry whose data size is {reader.DataSize}.");
            }
        }).GetAwaiter().GetResult();
    }

    private static void HeadFileTarget(byte[] input) => HeadFile.TryParse(input, out _);

    private static void Config(byte[] input) => ConfigFile.Parse(Encoding.UTF8.GetString(input), "fuzz");

    private static string Latin1(byte[] input) => Encoding.Latin1.GetString(input);
}
