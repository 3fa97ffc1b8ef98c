using System.Net;
using System.Security.Cryptography;

namespace Ouinet.Dht.Storage;

/// <summary>
/// The write tokens of BEP 5: a <c>get_peers</c> response hands the querier a token bound to its IP; an
/// <c>announce_peer</c> must bring it back. The token is a hash of a secret and the IP, the secret changes every
/// <c>rotation</c> and the previous one is still accepted, so a token lives between one and two rotations (5–10 min
/// with BEP 5's 5 minutes). Only the IP is covered, not the port, as in libtorrent: a NAT may change the port.
/// </summary>
internal sealed class TokenManager
{
    public const int TokenLength = 8;
    private const int SecretLength = 16;

    private readonly DhtRandom _random;
    private readonly long _rotationMs;
    private readonly byte[] _current = new byte[SecretLength];
    private readonly byte[] _previous = new byte[SecretLength];
    private long _nextRotation;

    public TokenManager(DhtRandom random, TimeSpan rotation, long nowMs)
    {
        _random = random;
        _rotationMs = (long)rotation.TotalMilliseconds;
        _random.Fill(_current);
        _random.Fill(_previous);
        _nextRotation = nowMs + _rotationMs;
    }

    /// <summary>Moves to a new secret when it is time; called from the maintenance tick.</summary>
    public void Rotate(long nowMs)
    {
        if (nowMs < _nextRotation)
        {
            return;
        }
        _current.CopyTo(_previous, 0);
        _random.Fill(_current);
        _nextRotation = nowMs + _rotationMs;
    }

    public byte[] Create(IPAddress address)
    {
        var token = new byte[TokenLength];
        Compute(_current, address, token);
        return token;
    }

    public bool IsValid(ReadOnlySpan<byte> token, IPAddress address)
    {
        if (token.Length != TokenLength)
        {
            return false;
        }
        Span<byte> expected = stackalloc byte[TokenLength];
        Compute(_current, address, expected);
        if (CryptographicOperations.FixedTimeEquals(token, expected))
        {
            return true;
        }
        Compute(_previous, address, expected);
        return CryptographicOperations.FixedTimeEquals(token, expected);
    }

    private static void Compute(byte[] secret, IPAddress address, Span<byte> token)
    {
        Span<byte> input = stackalloc byte[SecretLength + 16];
        secret.CopyTo(input);
        address.TryWriteBytes(input[SecretLength..], out var length);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input[..(SecretLength + length)], hash);
        hash[..TokenLength].CopyTo(token);
    }
}
