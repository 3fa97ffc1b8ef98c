namespace Ouinet.Protocol.Keys;

/// <summary>Why a textual Ed25519 key did not parse.</summary>
public enum KeyParseError
{
    /// <summary>Parsed.</summary>
    None = 0,

    /// <summary>The text is empty.</summary>
    Empty,

    /// <summary>Neither 64 hex characters nor 52 base32 characters.</summary>
    WrongLength,

    /// <summary>64 characters, but not all hexadecimal.</summary>
    InvalidHex,

    /// <summary>52 characters, but not all in the base32 alphabet.</summary>
    InvalidBase32,

    /// <summary>52 base32 characters whose last one has non-zero unused bits: not the encoding of any key.</summary>
    NonCanonicalBase32,

    /// <summary>A keyId without the <c>ed25519=</c> prefix.</summary>
    UnknownKeyType,

    /// <summary>A keyId whose key is not the canonical padded base64 of 32 bytes.</summary>
    InvalidBase64,
}
