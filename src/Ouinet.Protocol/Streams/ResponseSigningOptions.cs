using Ouinet.Protocol.Headers;

namespace Ouinet.Protocol.Streams;

/// <summary>What an injection needs besides the origin response and the key.</summary>
public sealed record ResponseSigningOptions
{
    /// <summary>The entry's URI, used as given (make it canonical first, see <c>CanonicalUri</c>).</summary>
    public required string Uri { get; init; }

    /// <summary>The injection id and time; the time is also Sig0's <c>(created)</c>.</summary>
    public required InjectionHeader Injection { get; init; }

    /// <summary>The spec's <c>block-size</c>: 1 to <see cref="BlockSignaturesHeader.MaxBlockSize"/>.</summary>
    public int BlockSize { get; init; } = BlockSignaturesHeader.DefaultBlockSize;

    /// <summary>The <c>X-Ouinet-Version</c> to write.</summary>
    public ProtocolVersion Version { get; init; } = ProtocolVersion.Current;

    /// <summary>Sig1's <c>(created)</c> is this clock's time when the body ended, as in Ouinet C++.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// The request's method. A <c>HEAD</c> response gets the same signed head as <c>GET</c> and no body, hence no
    /// block signatures and no Sig1 (Ouinet C++ signs HEAD responses the same way).
    /// </summary>
    public string RequestMethod { get; init; } = "GET";

    /// <summary>Throws <see cref="ArgumentException"/> naming every invalid setting.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrEmpty(Uri))
        {
            errors.Add("Uri is empty");
        }
        if (Injection is null)
        {
            errors.Add("Injection is missing");
        }
        if (BlockSize is < 1 or > BlockSignaturesHeader.MaxBlockSize)
        {
            errors.Add($"BlockSize {BlockSize} is not within 1..{BlockSignaturesHeader.MaxBlockSize}");
        }
        if (TimeProvider is null)
        {
            errors.Add("TimeProvider is missing");
        }
        if (string.IsNullOrEmpty(RequestMethod))
        {
            errors.Add("RequestMethod is empty");
        }
        if (errors.Count > 0)
        {
            throw new ArgumentException($"Invalid signing options: {string.Join("; ", errors)}.");
        }
    }

    internal bool IsHead => string.Equals(RequestMethod, "HEAD", StringComparison.Ordinal);
}
