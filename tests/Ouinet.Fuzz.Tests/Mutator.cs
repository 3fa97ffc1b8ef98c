using System.Text;

namespace Ouinet.Fuzz.Tests;

/// <summary>
/// A small, seeded byte mutator in the spirit of AFL's havoc stage: bit flips, random bytes, inserted tokens that
/// matter to our parsers, deletions, duplications, truncations and splices. Deterministic, so a failure reproduces.
/// </summary>
internal sealed class Mutator(int seed, IReadOnlyList<byte[]> corpus)
{
    private static readonly byte[][] Tokens =
    [
        .. new[] { "\r\n", "\r", "\n", ";", "=", "\"", "\\", ",", ":", " ", "\t", "0", "ffffffffffffffff", "-1",
            ";ouisig=", ";ouihash=\"", "Transfer-Encoding: chunked\r\n", "Content-Length: 5\r\n", "\r\n\r\n",
            "HTTP/1.1 ", "keyId=", "headers=\"", "ts=", "id=", "size=", "SHA-256=", "\0", "\u00ff" }
        .Select(s => Encoding.Latin1.GetBytes(s)),
    ];

    private readonly Random _random = new(seed);

    public byte[] Next()
    {
        var data = new List<byte>(corpus[_random.Next(corpus.Count)]);
        var rounds = 1 + _random.Next(6);
        for (var r = 0; r < rounds; r++)
        {
            Mutate(data);
        }
        return [.. data];
    }

    private void Mutate(List<byte> data)
    {
        var at = data.Count == 0 ? 0 : _random.Next(data.Count);
        switch (_random.Next(8))
        {
            case 0 when data.Count > 0:
                data[at] ^= (byte)(1 << _random.Next(8));
                break;
            case 1 when data.Count > 0:
                data[at] = (byte)_random.Next(256);
                break;
            case 2:
                data.InsertRange(at, Tokens[_random.Next(Tokens.Length)]);
                break;
            case 3 when data.Count > 0:
                data.RemoveRange(at, Math.Min(data.Count - at, 1 + _random.Next(16)));
                break;
            case 4 when data.Count > 0:
                var length = Math.Min(data.Count - at, 1 + _random.Next(64));
                data.InsertRange(_random.Next(data.Count), data.GetRange(at, length));
                break;
            case 5:
                data.RemoveRange(at, data.Count - at);
                break;
            case 6:
                var other = corpus[_random.Next(corpus.Count)];
                var from = other.Length == 0 ? 0 : _random.Next(other.Length);
                data.InsertRange(at, other.Skip(from).Take(1 + _random.Next(128)));
                break;
            default:
                data.Insert(at, (byte)_random.Next(256));
                break;
        }
    }
}
