namespace Ouinet.Protocol;

/// <summary>
/// Why a signed response or a stored entry was rejected. The names follow the reference verifier's codes
/// (<c>E_HEAD_SIG</c> is <see cref="HeadSignature"/>, ...), which the test vectors' negative cases expect.
/// </summary>
public enum OuinetVerificationError
{
    /// <summary>Nothing wrong: verified.</summary>
    None = 0,

    /// <summary><c>E_FORMAT</c>: malformed HTTP message, header or file.</summary>
    Format,

    /// <summary><c>E_CHUNK_FORMAT</c>: malformed chunked framing or chunk extension (e.g. an <c>ouihash</c> without its <c>ouisig</c>).</summary>
    ChunkFormat,

    /// <summary><c>E_TRUNCATED</c>: the message ends before it is complete.</summary>
    Truncated,

    /// <summary><c>E_UNSIGNED</c>: no Ouinet signature at all (usable, not cacheable).</summary>
    Unsigned,

    /// <summary><c>E_VERSION</c>: <c>X-Ouinet-Version</c> is not the expected protocol version.</summary>
    Version,

    /// <summary><c>E_SIG_FORMAT</c>: malformed <c>X-Ouinet-Sig*</c>/<c>X-Ouinet-BSigs</c> value, or nothing to verify a stream's head with.</summary>
    SignatureFormat,

    /// <summary><c>E_KEYID</c>: the keyId is not the trusted injector key.</summary>
    KeyId,

    /// <summary><c>E_ALGORITHM</c>: the algorithm is not <c>hs2019</c>.</summary>
    Algorithm,

    /// <summary><c>E_COVERAGE</c>: a signature does not cover a required header, or a covered header is missing.</summary>
    Coverage,

    /// <summary><c>E_HEAD_SIG</c>: <c>X-Ouinet-Sig0</c> (header signature) does not verify.</summary>
    HeadSignature,

    /// <summary><c>E_FULL_SIG</c>: <c>X-Ouinet-Sig1</c> (full signature) does not verify.</summary>
    FullSignature,

    /// <summary><c>E_MISSING_SIG1</c>: no <c>X-Ouinet-Sig1</c> (or no <c>X-Ouinet-Data-Size</c>) for a complete response.</summary>
    MissingSig1,

    /// <summary><c>E_BLOCK_SIG</c>: a block signature does not verify.</summary>
    BlockSignature,

    /// <summary><c>E_MISSING_BLOCK_SIG</c>: a block arrived without its <c>ouisig</c>.</summary>
    MissingBlockSignature,

    /// <summary><c>E_SIG_COUNT</c>: more block signatures than blocks, or a <c>sigs</c> line count mismatch.</summary>
    SignatureCount,

    /// <summary><c>E_DATA_SIZE</c>: the body length differs from <c>X-Ouinet-Data-Size</c>.</summary>
    DataSize,

    /// <summary><c>E_DIGEST</c>: the body's SHA-256 differs from <c>Digest</c>.</summary>
    Digest,

    /// <summary><c>E_RANGE</c>: malformed or inconsistent 206 response.</summary>
    Range,

    /// <summary><c>E_RANGE_PREV</c>: <c>ouipsig</c>/<c>ouihash</c> do not verify as the previous block.</summary>
    RangePrevious,

    /// <summary><c>E_RANGE_UNVERIFIABLE</c>: a 206 not starting at block 0 without <c>ouipsig</c> and <c>ouihash</c> on its first chunk line.</summary>
    RangeUnverifiable,

    /// <summary><c>E_CHAIN</c>: a stated <c>chained-hash(i-1)</c> is wrong (static cache <c>sigs</c> column, or an <c>ouihash</c> next to <c>ouisig(i)</c>).</summary>
    Chain,

    /// <summary><c>E_BLOCK_HASH</c>: static cache: <c>hash(i)</c> in <c>sigs</c> is not the SHA-512 of the body block.</summary>
    BlockHash,

    /// <summary><c>E_SIGS_FORMAT</c>: static cache: malformed <c>sigs</c> file.</summary>
    SigsFormat,

    /// <summary><c>E_PATH</c>: static cache: the entry directory is not <c>data-v3/&lt;sha1(uri)[0:2]&gt;/&lt;sha1(uri)[2:]&gt;</c>.</summary>
    Path,

    /// <summary><c>E_BODY</c>: static cache: <c>body</c>/<c>body-path</c> missing or invalid.</summary>
    Body,

    /// <summary><c>E_GROUP</c>: static cache: <c>dht_groups</c> inconsistency.</summary>
    Group,

    /// <summary><c>E_CPP_FORM</c>: (checking our own output) a Ouinet C++ 1.6 client would refuse it.</summary>
    CppForm,

    /// <summary>
    /// <c>E_URI</c> (ours): the verified <c>X-Ouinet-URI</c> is not the URI that was asked for, i.e. a peer served a
    /// genuine entry of another resource.
    /// </summary>
    UriMismatch,

    /// <summary><c>E_TOO_LARGE</c> (ours): a body that can only be verified whole is over the configured spool limit.</summary>
    TooLarge,
}

/// <summary>The reference verifier's spelling of each error.</summary>
public static class OuinetVerificationErrorExtensions
{
    /// <summary>The code, e.g. <c>E_HEAD_SIG</c> for <see cref="OuinetVerificationError.HeadSignature"/>; <c>OK</c> for none.</summary>
    public static string ToCode(this OuinetVerificationError error) => error switch
    {
        OuinetVerificationError.None => "OK",
        OuinetVerificationError.Format => "E_FORMAT",
        OuinetVerificationError.ChunkFormat => "E_CHUNK_FORMAT",
        OuinetVerificationError.Truncated => "E_TRUNCATED",
        OuinetVerificationError.Unsigned => "E_UNSIGNED",
        OuinetVerificationError.Version => "E_VERSION",
        OuinetVerificationError.SignatureFormat => "E_SIG_FORMAT",
        OuinetVerificationError.KeyId => "E_KEYID",
        OuinetVerificationError.Algorithm => "E_ALGORITHM",
        OuinetVerificationError.Coverage => "E_COVERAGE",
        OuinetVerificationError.HeadSignature => "E_HEAD_SIG",
        OuinetVerificationError.FullSignature => "E_FULL_SIG",
        OuinetVerificationError.MissingSig1 => "E_MISSING_SIG1",
        OuinetVerificationError.BlockSignature => "E_BLOCK_SIG",
        OuinetVerificationError.MissingBlockSignature => "E_MISSING_BLOCK_SIG",
        OuinetVerificationError.SignatureCount => "E_SIG_COUNT",
        OuinetVerificationError.DataSize => "E_DATA_SIZE",
        OuinetVerificationError.Digest => "E_DIGEST",
        OuinetVerificationError.Range => "E_RANGE",
        OuinetVerificationError.RangePrevious => "E_RANGE_PREV",
        OuinetVerificationError.RangeUnverifiable => "E_RANGE_UNVERIFIABLE",
        OuinetVerificationError.Chain => "E_CHAIN",
        OuinetVerificationError.BlockHash => "E_BLOCK_HASH",
        OuinetVerificationError.SigsFormat => "E_SIGS_FORMAT",
        OuinetVerificationError.Path => "E_PATH",
        OuinetVerificationError.Body => "E_BODY",
        OuinetVerificationError.Group => "E_GROUP",
        OuinetVerificationError.CppForm => "E_CPP_FORM",
        OuinetVerificationError.UriMismatch => "E_URI",
        OuinetVerificationError.TooLarge => "E_TOO_LARGE",
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, null),
    };
}
