using System.Net;
using System.Text;
using Ouinet.Dht.Bencoding;

namespace Ouinet.Dht.Messages;

/// <summary>
/// Turns one datagram into a <see cref="KrpcMessage"/>. Strict where it matters (bencode rules and limits, duplicate
/// keys, field sizes) and tolerant where real nodes differ: keys in any order, unknown keys skipped, an <c>r</c>
/// dictionary beside <c>e</c> (libtorrent sends one), IPv6 values skipped.
/// </summary>
public static partial class KrpcDecoder
{
    /// <summary>Longest transaction ID echoed back; real clients use 2 to 4 bytes.</summary>
    public const int MaxTransactionIdLength = 20;

    private const int MaxMethodNameLength = 64;
    private const int MaxTokenLength = 64;
    private const int MaxVersionLength = 32;
    private const int MaxErrorMessageLength = 256;

    /// <summary>
    /// Decodes <paramref name="datagram"/>. <paramref name="message"/> is set whenever the transaction ID and type could
    /// be read, even if the result is an error, so that a malformed query can still be answered with error 203.
    /// </summary>
    public static KrpcDecodeError TryDecode(ReadOnlySpan<byte> datagram, out KrpcMessage? message)
    {
        message = null;
        try
        {
            return Decode(datagram, out message);
        }
        catch (BencodeException)
        {
            return KrpcDecodeError.Bencode;
        }
    }

    private static KrpcDecodeError Decode(ReadOnlySpan<byte> datagram, out KrpcMessage? message)
    {
        message = null;
        var reader = new BencodeReader(datagram, BencodeLimits.Krpc);
        if (reader.Peek() != BencodeToken.Dictionary)
        {
            return KrpcDecodeError.NotADictionary;
        }
        reader.ReadDictionaryStart();
        byte[]? transactionId = null;
        byte y = 0;
        string? methodName = null;
        var body = new Body();
        var hasArguments = false;
        var hasResponse = false;
        var hasError = false;
        var errorValid = true;
        long errorCode = 0;
        string? errorMessage = null;
        IPEndPoint? requester = null;
        var ipError = KrpcDecodeError.None;
        var readOnly = false;
        byte[]? version = null;
        var seen = 0;
        var error = KrpcDecodeError.None;

        while (!reader.TryReadEnd())
        {
            var key = reader.ReadKey();
            var bit = TopKeyBit(key);
            if (bit != 0)
            {
                if ((seen & bit) != 0)
                {
                    return KrpcDecodeError.DuplicateKey;
                }
                seen |= bit;
            }
            switch (bit)
            {
                case TopA or TopR:
                    if (reader.Peek() != BencodeToken.Dictionary)
                    {
                        error = First(error, KrpcDecodeError.WrongValueType);
                        reader.Skip();
                        break;
                    }
                    // Both carry the sender's ID and the method's fields; y (read later) says which applies.
                    if (bit == TopA)
                    {
                        hasArguments = true;
                    }
                    else
                    {
                        hasResponse = true;
                    }
                    if (!ReadBody(ref reader, ref body))
                    {
                        return KrpcDecodeError.DuplicateKey;
                    }
                    break;
                case TopE:
                    hasError = true;
                    errorValid = ReadError(ref reader, out errorCode, out errorMessage);
                    break;
                case TopIp:
                    if (reader.Peek() != BencodeToken.String)
                    {
                        ipError = KrpcDecodeError.InvalidIp;
                        reader.Skip();
                        break;
                    }
                    var ip = reader.ReadString();
                    if (ip.Length == CompactFormat.PeerLength)
                    {
                        requester = CompactFormat.ReadPeer(ip);
                    }
                    else if (ip.Length != CompactFormat.Peer6Length)
                    {
                        ipError = KrpcDecodeError.InvalidIp;
                    }
                    break;
                case TopQ:
                    if (reader.Peek() != BencodeToken.String)
                    {
                        error = First(error, KrpcDecodeError.WrongValueType);
                        reader.Skip();
                        break;
                    }
                    var q = reader.ReadString();
                    if (q.Length > MaxMethodNameLength)
                    {
                        error = First(error, KrpcDecodeError.FieldTooLong);
                        break;
                    }
                    methodName = Encoding.Latin1.GetString(q);
                    break;
                case TopRo:
                    if (reader.Peek() == BencodeToken.Integer)
                    {
                        readOnly = reader.ReadInteger() != 0;
                    }
                    else
                    {
                        reader.Skip();
                    }
                    break;
                case TopT:
                    if (reader.Peek() != BencodeToken.String)
                    {
                        return KrpcDecodeError.MissingTransactionId;
                    }
                    var t = reader.ReadString();
                    if (t.Length > MaxTransactionIdLength)
                    {
                        return KrpcDecodeError.TransactionIdTooLong;
                    }
                    transactionId = t.ToArray();
                    break;
                case TopV:
                    if (reader.Peek() == BencodeToken.String)
                    {
                        var v = reader.ReadString();
                        version = v.Length <= MaxVersionLength ? v.ToArray() : null;
                    }
                    else
                    {
                        reader.Skip();
                    }
                    break;
                case TopY:
                    if (reader.Peek() != BencodeToken.String)
                    {
                        return KrpcDecodeError.MissingType;
                    }
                    var ys = reader.ReadString();
                    y = ys.Length == 1 ? ys[0] : (byte)'?';
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        reader.ExpectEndOfInput();

        if (transactionId is null)
        {
            return KrpcDecodeError.MissingTransactionId;
        }
        if (y == 0)
        {
            return KrpcDecodeError.MissingType;
        }
        KrpcMessageType type;
        switch (y)
        {
            case (byte)'q':
                type = KrpcMessageType.Query;
                break;
            case (byte)'r':
                type = KrpcMessageType.Response;
                break;
            case (byte)'e':
                type = KrpcMessageType.Error;
                break;
            default:
                return KrpcDecodeError.UnknownType;
        }

        var method = methodName switch
        {
            "ping" => KrpcMethod.Ping,
            "find_node" => KrpcMethod.FindNode,
            "get_peers" => KrpcMethod.GetPeers,
            "announce_peer" => KrpcMethod.AnnouncePeer,
            _ => KrpcMethod.Unknown,
        };
        switch (type)
        {
            case KrpcMessageType.Query:
                // A known key of the wrong form is the most precise complaint; an unknown method ignores its arguments.
                if (method != KrpcMethod.Unknown || methodName is null)
                {
                    error = First(error, body.Error);
                }
                error = First(error, CheckQuery(methodName, method, hasArguments, body));
                break;
            case KrpcMessageType.Response:
                error = First(error, body.Error);
                error = First(error, !hasResponse ? KrpcDecodeError.MissingResponse : body.Id is null ? KrpcDecodeError.MissingId : ipError);
                break;
            default:
                error = First(error, hasError && errorValid ? KrpcDecodeError.None : KrpcDecodeError.InvalidError);
                break;
        }

        message = new KrpcMessage
        {
            TransactionId = transactionId,
            Type = type,
            Method = method,
            MethodName = methodName,
            Id = body.Id,
            Target = body.Target,
            InfoHash = body.InfoHash,
            Port = body.Port is >= 0 and <= ushort.MaxValue ? (int)body.Port.Value : null,
            ImpliedPort = body.ImpliedPort is not null and not 0,
            Token = body.Token,
            ReadOnly = readOnly,
            Nodes = body.Nodes,
            Values = body.Values,
            RequesterEndPoint = requester,
            ErrorCode = (int)Math.Clamp(errorCode, int.MinValue, int.MaxValue),
            ErrorMessage = errorMessage,
            Version = version,
        };
        return error;
    }

    private static KrpcDecodeError CheckQuery(string? methodName, KrpcMethod method, bool hasArguments, in Body body)
    {
        if (methodName is null)
        {
            return KrpcDecodeError.MissingQueryName;
        }
        if (method == KrpcMethod.Unknown)
        {
            return KrpcDecodeError.None; // answered with 204 whatever its arguments
        }
        if (!hasArguments)
        {
            return KrpcDecodeError.MissingArguments;
        }
        if (body.Id is null)
        {
            return KrpcDecodeError.MissingId;
        }
        switch (method)
        {
            case KrpcMethod.FindNode when body.Target is null:
                return KrpcDecodeError.MissingTarget;
            case KrpcMethod.GetPeers when body.InfoHash is null:
                return KrpcDecodeError.MissingInfoHash;
            case KrpcMethod.AnnouncePeer:
                if (body.InfoHash is null)
                {
                    return KrpcDecodeError.MissingInfoHash;
                }
                if (body.Token is null)
                {
                    return KrpcDecodeError.MissingToken;
                }
                // With implied_port the UDP source port is used and port may be anything (or absent).
                var implied = body.ImpliedPort is not null and not 0;
                if (!implied && body.Port is not (> 0 and <= ushort.MaxValue))
                {
                    return KrpcDecodeError.InvalidPort;
                }
                break;
        }
        return KrpcDecodeError.None;
    }

    private static bool ReadError(ref BencodeReader reader, out long code, out string? message)
    {
        code = 0;
        message = null;
        if (reader.Peek() != BencodeToken.List)
        {
            reader.Skip();
            return false;
        }
        reader.ReadListStart();
        var valid = false;
        if (!reader.TryReadEnd())
        {
            if (reader.Peek() == BencodeToken.Integer)
            {
                code = reader.ReadInteger();
                valid = true;
            }
            else
            {
                reader.Skip();
            }
            while (!reader.TryReadEnd())
            {
                if (message is null && reader.Peek() == BencodeToken.String)
                {
                    var text = reader.ReadString();
                    message = Encoding.UTF8.GetString(text[..Math.Min(text.Length, MaxErrorMessageLength)]);
                }
                else
                {
                    reader.Skip();
                }
            }
            return valid;
        }
        return false;
    }

    private static KrpcDecodeError First(KrpcDecodeError current, KrpcDecodeError next) =>
        current != KrpcDecodeError.None ? current : next;

    private const int TopA = 1, TopE = 2, TopIp = 4, TopQ = 8, TopR = 16, TopRo = 32, TopT = 64, TopV = 128, TopY = 256;

    private static int TopKeyBit(ReadOnlySpan<byte> key) => key switch
    {
        [(byte)'a'] => TopA,
        [(byte)'e'] => TopE,
        [(byte)'i', (byte)'p'] => TopIp,
        [(byte)'q'] => TopQ,
        [(byte)'r'] => TopR,
        [(byte)'r', (byte)'o'] => TopRo,
        [(byte)'t'] => TopT,
        [(byte)'v'] => TopV,
        [(byte)'y'] => TopY,
        _ => 0,
    };
}
