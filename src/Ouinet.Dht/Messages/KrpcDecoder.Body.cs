using System.Net;
using Ouinet.Dht.Bencoding;

namespace Ouinet.Dht.Messages;

/// <summary>The <c>a</c> and <c>r</c> dictionaries: the fields of the four BEP 5 methods, each checked for kind and size.</summary>
public static partial class KrpcDecoder
{
    // Reads the a or r dictionary; false on a duplicate key.
    private static bool ReadBody(ref BencodeReader reader, ref Body body)
    {
        reader.ReadDictionaryStart();
        var seen = 0;
        while (!reader.TryReadEnd())
        {
            var key = reader.ReadKey();
            var bit = BodyKeyBit(key);
            if (bit != 0)
            {
                if ((seen & bit) != 0)
                {
                    return false;
                }
                seen |= bit;
            }
            switch (bit)
            {
                case BodyId:
                    body.Id = ReadId(ref reader, ref body.Error, KrpcDecodeError.InvalidId);
                    break;
                case BodyTarget:
                    body.Target = ReadId(ref reader, ref body.Error, KrpcDecodeError.MissingTarget);
                    break;
                case BodyInfoHash:
                    body.InfoHash = ReadId(ref reader, ref body.Error, KrpcDecodeError.MissingInfoHash);
                    break;
                case BodyPort:
                    body.Port = ReadInteger(ref reader, ref body.Error, KrpcDecodeError.InvalidPort);
                    break;
                case BodyImpliedPort:
                    body.ImpliedPort = ReadInteger(ref reader, ref body.Error, KrpcDecodeError.WrongValueType);
                    break;
                case BodyToken:
                    if (reader.Peek() != BencodeToken.String)
                    {
                        body.Error = First(body.Error, KrpcDecodeError.InvalidToken);
                        reader.Skip();
                        break;
                    }
                    var token = reader.ReadString();
                    if (token.Length is 0 or > MaxTokenLength)
                    {
                        body.Error = First(body.Error, KrpcDecodeError.InvalidToken);
                        break;
                    }
                    body.Token = token.ToArray();
                    break;
                case BodyNodes:
                    if (reader.Peek() != BencodeToken.String)
                    {
                        body.Error = First(body.Error, KrpcDecodeError.InvalidNodes);
                        reader.Skip();
                        break;
                    }
                    var nodes = new List<NodeInfo>();
                    if (!CompactFormat.TryReadNodes(reader.ReadString(), nodes))
                    {
                        body.Error = First(body.Error, KrpcDecodeError.InvalidNodes);
                        break;
                    }
                    body.Nodes = nodes;
                    break;
                case BodyValues:
                    body.Values = ReadValues(ref reader, ref body.Error);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        return true;
    }

    private static List<IPEndPoint>? ReadValues(ref BencodeReader reader, ref KrpcDecodeError error)
    {
        if (reader.Peek() != BencodeToken.List)
        {
            error = First(error, KrpcDecodeError.InvalidValues);
            reader.Skip();
            return null;
        }
        reader.ReadListStart();
        var values = new List<IPEndPoint>();
        while (!reader.TryReadEnd())
        {
            if (reader.Peek() != BencodeToken.String)
            {
                error = First(error, KrpcDecodeError.InvalidValues);
                reader.Skip();
                continue;
            }
            var value = reader.ReadString();
            if (value.Length == CompactFormat.PeerLength)
            {
                values.Add(CompactFormat.ReadPeer(value));
            }
            else if (value.Length != CompactFormat.Peer6Length)
            {
                error = First(error, KrpcDecodeError.InvalidValues);
            }
        }
        return values;
    }

    private static NodeId? ReadId(ref BencodeReader reader, ref KrpcDecodeError error, KrpcDecodeError ifInvalid)
    {
        if (reader.Peek() != BencodeToken.String)
        {
            error = First(error, ifInvalid);
            reader.Skip();
            return null;
        }
        var bytes = reader.ReadString();
        if (bytes.Length != NodeId.Size)
        {
            error = First(error, ifInvalid);
            return null;
        }
        return new NodeId(bytes);
    }

    private static long? ReadInteger(ref BencodeReader reader, ref KrpcDecodeError error, KrpcDecodeError ifInvalid)
    {
        if (reader.Peek() != BencodeToken.Integer)
        {
            error = First(error, ifInvalid);
            reader.Skip();
            return null;
        }
        return reader.ReadInteger();
    }

    private const int BodyId = 1, BodyTarget = 2, BodyInfoHash = 4, BodyPort = 8, BodyImpliedPort = 16, BodyToken = 32, BodyNodes = 64, BodyValues = 128;

    private static int BodyKeyBit(ReadOnlySpan<byte> key)
    {
        if (key.SequenceEqual("id"u8))
        {
            return BodyId;
        }
        if (key.SequenceEqual("target"u8))
        {
            return BodyTarget;
        }
        if (key.SequenceEqual("info_hash"u8))
        {
            return BodyInfoHash;
        }
        if (key.SequenceEqual("port"u8))
        {
            return BodyPort;
        }
        if (key.SequenceEqual("implied_port"u8))
        {
            return BodyImpliedPort;
        }
        if (key.SequenceEqual("token"u8))
        {
            return BodyToken;
        }
        if (key.SequenceEqual("nodes"u8))
        {
            return BodyNodes;
        }
        return key.SequenceEqual("values"u8) ? BodyValues : 0;
    }

    private struct Body
    {
        public NodeId? Id;
        public NodeId? Target;
        public NodeId? InfoHash;
        public long? Port;
        public long? ImpliedPort;
        public byte[]? Token;
        public List<NodeInfo>? Nodes;
        public List<IPEndPoint>? Values;
        public KrpcDecodeError Error;
    }
}
