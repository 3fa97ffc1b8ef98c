namespace Ouinet.Protocol.Canonicalization;

/// <summary>Why a URI is not (or cannot be made) the canonical form of a cache entry's URI.</summary>
public enum CanonicalUriError
{
    /// <summary>Canonical.</summary>
    None = 0,

    /// <summary>The URI is empty.</summary>
    Empty,

    /// <summary>A character outside printable ASCII (space, control, non-ASCII): not valid in a request target.</summary>
    InvalidCharacter,

    /// <summary>Not <c>scheme://authority…</c>.</summary>
    NotAbsolute,

    /// <summary>The scheme is neither <c>http</c> nor <c>https</c>.</summary>
    UnsupportedScheme,

    /// <summary>The authority has <c>user@</c>: credentials must never become part of a shared cache key.</summary>
    UserInfo,

    /// <summary>No host, or a host with characters outside letters, digits, <c>-._~</c> (or a malformed <c>[IPv6]</c>).</summary>
    InvalidHost,

    /// <summary>A port that is empty, not decimal, or outside 1..65535.</summary>
    InvalidPort,

    /// <summary>(Check only) the scheme or host has upper-case letters.</summary>
    UpperCase,

    /// <summary>(Check only) the port is spelled out although it is the scheme's default, or with leading zeros.</summary>
    NonCanonicalPort,

    /// <summary>(Check only) the path is empty; the canonical form is <c>/</c>.</summary>
    EmptyPath,

    /// <summary>(Check only) a <c>#fragment</c>: it is for the user agent, never sent, never part of the key.</summary>
    Fragment,
}
