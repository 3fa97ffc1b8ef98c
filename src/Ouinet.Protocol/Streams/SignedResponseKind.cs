namespace Ouinet.Protocol.Streams;

/// <summary>Which of the spec's response forms a verified response is.</summary>
public enum SignedResponseKind
{
    /// <summary>A signature stream of the whole entry (<c>X-Ouinet-BSigs</c>, chunked, <c>ouisig</c> per block).</summary>
    Stream,

    /// <summary>A 206 signature stream for a block-aligned range.</summary>
    Range,

    /// <summary>A complete-signature-only response: verified only once whole.</summary>
    Complete,
}
