namespace Ouinet.Protocol.Streams;

/// <summary>What a received signed response is checked against, beyond the trusted key.</summary>
public sealed record SignedResponseOptions
{
    /// <summary>The one <c>X-Ouinet-Version</c> accepted (V: 6 unless told otherwise).</summary>
    public ProtocolVersion ExpectedVersion { get; init; } = ProtocolVersion.V6;

    /// <summary>When set, the verified <c>X-Ouinet-URI</c> must be exactly this (<c>E_URI</c>): a peer must not serve another resource's genuine entry.</summary>
    public string? ExpectedUri { get; init; }

    /// <summary>When set, a 206 must cover these requested bytes (<c>E_RANGE</c>); a full response is still accepted.</summary>
    public RequestedRange? RequestedRange { get; init; }

    /// <summary>
    /// Whether a complete-signature-only response (Sig1, no <c>X-Ouinet-BSigs</c>) is accepted by spooling its body to a
    /// temporary file and releasing it only once Sig1, the data size and the digest verified. When false such responses
    /// are refused with <c>E_CPP_FORM</c> before their body is read, as a Ouinet C++ client refuses them.
    /// </summary>
    public bool AllowCompleteOnly { get; init; } = true;

    /// <summary>The largest body spooled for a complete-signature-only response (<c>E_TOO_LARGE</c> beyond).</summary>
    public long MaxSpoolBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Where spool files go; the system temporary folder when null. They are deleted on dispose.</summary>
    public string? SpoolDirectory { get; init; }
}

/// <summary>The bytes a client asked for with <c>Range: bytes=First-Last</c> (<c>Last</c> null for "to the end").</summary>
public readonly record struct RequestedRange(long First, long? Last);
