using System.Buffers;
using System.Text;
using Ouinet.Cache.Storage;
using Ouinet.Cli.Configuration;
using Ouinet.Dht;
using Ouinet.Dht.Bencoding;
using Ouinet.Dht.Messages;
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
        new("injector-request", "what the injector parses from a client before anything else: proxy targets, Proxy-Authorization", InjectorRequest, None),
        new("bencode", "bencoded values (DHT): decoded with the general and the KRPC limits, re-encoded canonically", Bencode, e => e is BencodeException),
        new("krpc", "one KRPC datagram from a DHT node: query, response or error", Krpc, None),
        new("compact-nodes", "BEP 5 compact node infos (the nodes field)", CompactNodes, None),
        new("dht-state", "the saved DHT state file (node ID and contacts)", DhtStateFile, None),
        new("overlay-shim", "udp4 shim datagram: EID framing and the 47-byte mgmt_msg", OverlayFuzz.Shim, OverlayFuzz.FormatErrors),
        new("overlay-dt", "unicast data-transfer header", OverlayFuzz.Dt, OverlayFuzz.FormatErrors),
        new("overlay-fa", "flow allocator fa_msg (FLOW_REQ/REPLY/UPDATE)", OverlayFuzz.FlowAllocator, OverlayFuzz.FormatErrors),
        new("overlay-frcp", "FRCP header", OverlayFuzz.Frcp, OverlayFuzz.FormatErrors),
        new("overlay-lsa", "link-state advertisement", OverlayFuzz.LsaTarget, OverlayFuzz.FormatErrors),
        new("overlay-dht", "Kademlia directory messages", OverlayFuzz.Dht, OverlayFuzz.FormatErrors),
        new("overlay-layer", "enrolment (OEP) and connection (CEP) messages on management flows", OverlayFuzz.Layer, OverlayFuzz.FormatErrors),
        new("overlay-config", "irmd.conf (TOML subset) and the shim's hosts file", OverlayFuzz.Config, e => e is Overlay.Configuration.IrmdConfigException),
        new("utp-packet", "a uTP (BEP 29) datagram: header and extension chain", UtpFuzzing.Packet, None),
        new("utp-connection", "datagrams from one uTP peer into a live connection (accepting or connecting), clock stepped between them",
            UtpFuzzing.Connection, None),
    ];

    // The vectors' trusted key: mutated vector streams then reach deep into the verifier. Lazy: a static initializer
    // runs instrumented code before the fork server maps AFL's shared memory, which crashes every target at start.
    private static readonly Lazy<InjectorPublicKey> TrustedKeyLazy = new(() => InjectorPublicKey.Parse("03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"));

    private static InjectorPublicKey TrustedKey => TrustedKeyLazy.Value;

    public static FuzzTarget Find(string name) =>
        All.FirstOrDefault(t => t.Name == name) ?? throw new ArgumentException($"No fuzz target \"{name}\". Targets: {string.Join(", ", All.Select(t => t.Name))}");

    private static readonly Injector.ProxyCredentials Credentials =
        Injector.ProxyCredentials.TryParse("user:pass", out var credentials) ? credentials : throw new InvalidOperationException();

    private static void InjectorRequest(byte[] input)
    {
        var text = Encoding.Latin1.GetString(input);
        if (Injector.TargetUri.TryParse(text, out var target))
        {
            if (target.Port is < 1 or > 65535 || target.Host.Length == 0 || !target.PathAndQuery.StartsWith('/') || target.PathAndQuery.Contains('#', StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"TargetUri accepted {text} as {target}.");
            }
        }
        _ = Credentials.Accepts(text);
        _ = Injector.ProxyCredentials.TryParse(text, out _);
    }

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
            using var reader = await SignedResponseReader.OpenAsync(head, http.ReadResponseBody(head, "GET"), TrustedKey, options);
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

    private static void Bencode(byte[] input)
    {
        // The KRPC limits are the ones peers face; whatever passes them must also pass the general ones.
        try
        {
            BencodeDecoder.Decode(input, BencodeLimits.Krpc);
        }
        catch (BencodeException e) when (e.Error is BencodeError.InputTooLarge or BencodeError.StringTooLong or BencodeError.DepthExceeded or BencodeError.TooManyElements)
        {
        }
        var value = BencodeDecoder.Decode(input);
        var canonical = value.Encode();
        var strict = BencodeLimits.Default with { RequireSortedKeys = true };
        if (!BencodeDecoder.Decode(canonical, strict).Encode().AsSpan().SequenceEqual(canonical))
        {
            throw new InvalidOperationException("Canonical bencode does not re-encode to itself.");
        }
    }

    private static void Krpc(byte[] input)
    {
        if (KrpcDecoder.TryDecode(input, out var message) != KrpcDecodeError.None || message is null)
        {
            return;
        }
        if (message.Type == KrpcMessageType.Query && message.Method == KrpcMethod.Unknown)
        {
            return; // answered with 204 whatever it holds; nothing of it is kept to re-encode
        }
        // Anything accepted must encode, and the encoding must decode to the same encoding.
        var encoded = KrpcEncoder.Encode(message);
        if (KrpcDecoder.TryDecode(encoded, out var again) != KrpcDecodeError.None || !KrpcEncoder.Encode(again!).AsSpan().SequenceEqual(encoded))
        {
            throw new InvalidOperationException("A decoded KRPC message does not round-trip.");
        }
    }

    private static void CompactNodes(byte[] input)
    {
        var nodes = new List<NodeInfo>();
        if (!CompactFormat.TryReadNodes(input, nodes))
        {
            return;
        }
        var written = new byte[nodes.Count * CompactFormat.NodeLength];
        CompactFormat.WriteNodes(nodes, written);
        if (!written.AsSpan().SequenceEqual(input))
        {
            throw new InvalidOperationException("Compact nodes do not round-trip.");
        }
    }

    private static void DhtStateFile(byte[] input) => DhtState.Parse(input);

    private static void Config(byte[] input) => ConfigFile.Parse(Encoding.UTF8.GetString(input), "fuzz");

    private static string Latin1(byte[] input) => Encoding.Latin1.GetString(input);
}
