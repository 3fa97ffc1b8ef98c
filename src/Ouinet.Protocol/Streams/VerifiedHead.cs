using Ouinet.Http;
using Ouinet.Protocol.Headers;
using Ouinet.Protocol.Signatures;

namespace Ouinet.Protocol.Streams;

/// <summary>What <see cref="HeadInspector"/> established about a received head.</summary>
internal sealed record VerifiedHead
{
    public required SignedResponseKind Kind { get; init; }

    /// <summary>The status the signatures cover (a 206's <c>X-Ouinet-HTTP-Status</c>).</summary>
    public required int SignedStatus { get; init; }

    /// <summary>The received head, untouched.</summary>
    public required HttpResponseHead Received { get; init; }

    /// <summary>The verified Sig0, if the head had one.</summary>
    public HttpSignature? Sig0 { get; init; }

    /// <summary>The head's Sig1 when it was verified with the head (no Sig0, or a 206); null otherwise.</summary>
    public HttpSignature? HeadSig1 { get; init; }

    public BlockSignaturesHeader? BlockSignatures { get; init; }

    public BlockRange? Range { get; init; }

    /// <summary>Set once a signature covering them verified (for a trailer-signed response: at its end).</summary>
    public string? Uri { get; init; }

    public InjectionHeader? Injection { get; init; }

    /// <summary>Whether the head carries a verified signature yet (false: Sig1 is only in the trailer).</summary>
    public bool IsHeadVerified => Sig0 is not null || HeadSig1 is not null;
}
