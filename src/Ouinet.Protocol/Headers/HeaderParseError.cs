namespace Ouinet.Protocol.Headers;

/// <summary>Why the value of an Ouinet header (a signature, <c>X-Ouinet-BSigs</c>, <c>X-Ouinet-Injection</c>, <c>Digest</c>, ...) did not parse.</summary>
public enum HeaderParseError
{
    /// <summary>Parsed.</summary>
    None = 0,

    /// <summary>The value is empty or only whitespace.</summary>
    Empty,

    /// <summary>An element is not <c>name=value</c> (missing <c>=</c>, empty name or value, stray characters, empty element).</summary>
    MalformedParameter,

    /// <summary>A quoted value has no closing quote.</summary>
    UnterminatedQuotedString,

    /// <summary>A quoted value holds a comma. Ouinet C++ refuses these and no valid value needs one, so we do too.</summary>
    CommaInQuotedString,

    /// <summary>A quoted value holds a backslash escape; no Ouinet value needs one.</summary>
    InvalidQuotedString,

    /// <summary>The same parameter appears twice.</summary>
    DuplicateParameter,

    /// <summary>No <c>keyId</c>.</summary>
    MissingKeyId,

    /// <summary>No <c>algorithm</c>.</summary>
    MissingAlgorithm,

    /// <summary>The keyId or algorithm holds a quote, comma, backslash or control character.</summary>
    InvalidKeyIdOrAlgorithm,

    /// <summary>No <c>created</c>.</summary>
    MissingCreated,

    /// <summary><c>created</c> is not a non-negative decimal integer.</summary>
    InvalidCreated,

    /// <summary>No <c>signature</c>.</summary>
    MissingSignature,

    /// <summary><c>signature</c> is not the padded base64 of 64 bytes.</summary>
    InvalidSignature,

    /// <summary><c>headers</c> is empty, names something that is neither a field name nor a <c>(pseudo-header)</c>, or lists a name twice.</summary>
    InvalidHeaderList,

    /// <summary>No <c>size</c> in <c>X-Ouinet-BSigs</c>.</summary>
    MissingSize,

    /// <summary><c>size</c> is not a decimal integer.</summary>
    InvalidSize,

    /// <summary><c>size</c> is 0 or above the largest accepted block size (1 MiB).</summary>
    BlockSizeOutOfRange,

    /// <summary>No <c>id</c> in <c>X-Ouinet-Injection</c>.</summary>
    MissingId,

    /// <summary>The injection <c>id</c> holds characters other than letters, digits, <c>-</c> and <c>_</c>.</summary>
    InvalidId,

    /// <summary>No <c>ts</c> in <c>X-Ouinet-Injection</c>.</summary>
    MissingTimestamp,

    /// <summary><c>ts</c> is not a non-negative decimal integer.</summary>
    InvalidTimestamp,

    /// <summary><c>Digest</c> has no <c>SHA-256</c> entry.</summary>
    MissingSha256,

    /// <summary>The <c>SHA-256</c> digest is not the padded base64 of 32 bytes.</summary>
    InvalidSha256,
}
