using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Ouinet.Protocol.Canonicalization;

/// <summary>
/// The canonical form of a cache entry's URI, which is its key: it goes into <c>X-Ouinet-URI</c>, the swarm
/// name and the store path, so two spellings of one resource would split its swarm. Canonical means: absolute
/// <c>http</c>/<c>https</c>, lower-case scheme and host, no user info, no default or empty port, a path
/// (at least <c>/</c>), no fragment. The path and query are kept byte for byte (no percent-decoding, no dot
/// segments resolved): origins may tell those apart. This is what browsers send through a proxy already;
/// Ouinet C++ only drops the fragment, so for browser traffic both agree.
/// </summary>
public static class CanonicalUri
{
    private static readonly char[] PathOrQuery = ['/', '?'];
    private static readonly SearchValues<char> Ipv6Chars = SearchValues.Create("0123456789abcdefABCDEF:.");
    private static readonly SearchValues<char> HostChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~");

    /// <summary>Whether <paramref name="uri"/> is already canonical; the first defect otherwise.</summary>
    public static CanonicalUriError Check(string? uri)
    {
        var error = TrySplit(uri, out var parts);
        if (error != CanonicalUriError.None)
        {
            return error;
        }
        return Defect(uri!, parts);
    }

    /// <summary>What keeps a well-formed URI from being canonical, if anything.</summary>
    private static CanonicalUriError Defect(string s, Parts parts)
    {
        if (parts.Fragment >= 0)
        {
            return CanonicalUriError.Fragment;
        }
        if (s.AsSpan(0, parts.SchemeEnd).ContainsAnyInRange('A', 'Z') || s.AsSpan(parts.HostStart, parts.HostLength).ContainsAnyInRange('A', 'Z'))
        {
            return CanonicalUriError.UpperCase;
        }
        // The port is 1-65535 in at most 5 digits: it is written as its number unless it has a leading zero.
        if (parts.PortStart >= 0 && (parts.Port == DefaultPort(parts.Scheme) || s[parts.PortStart] == '0'))
        {
            return CanonicalUriError.NonCanonicalPort;
        }
        return parts.PathStart == parts.End || s[parts.PathStart] != '/' ? CanonicalUriError.EmptyPath : CanonicalUriError.None;
    }

    /// <summary>
    /// Brings <paramref name="uri"/> to the canonical form: lower-cases scheme and host, drops a default port and
    /// the fragment, writes an empty path as <c>/</c>. Fails on what cannot be fixed (not http(s), user info, bad
    /// host or port, non-ASCII).
    /// </summary>
    public static bool TryNormalize(string? uri, [NotNullWhen(true)] out string? canonical, out CanonicalUriError error)
    {
        canonical = null;
        error = TrySplit(uri, out var parts);
        if (error != CanonicalUriError.None)
        {
            return false;
        }
        var s = uri!;
        if (Defect(s, parts) == CanonicalUriError.None)
        {
            canonical = s; // what browsers send: nothing to rebuild
            return true;
        }
        var port = parts.PortStart < 0 || parts.Port == DefaultPort(parts.Scheme) ? string.Empty : ":" + parts.Port.ToString(CultureInfo.InvariantCulture);
        var pathAndQuery = s[parts.PathStart..parts.End];
        if (!pathAndQuery.StartsWith('/'))
        {
            pathAndQuery = "/" + pathAndQuery;
        }
        canonical = $"{parts.Scheme}://{s.Substring(parts.HostStart, parts.HostLength).ToLowerInvariant()}{port}{pathAndQuery}";
        return true;
    }

    /// <summary>Splits a canonical URI into what a request to its origin needs; throws if it is not canonical.</summary>
    internal static (string Scheme, string Authority, string Target) Split(string canonicalUri)
    {
        var error = Check(canonicalUri);
        if (error != CanonicalUriError.None)
        {
            throw new ArgumentException($"Not a canonical URI ({error}): {canonicalUri}", nameof(canonicalUri));
        }
        TrySplit(canonicalUri, out var parts);
        var authorityStart = parts.SchemeEnd + 3;
        return (parts.Scheme, canonicalUri[authorityStart..parts.PathStart], canonicalUri[parts.PathStart..parts.End]);
    }

    private static int DefaultPort(string scheme) => scheme == "https" ? 443 : 80;

    private static CanonicalUriError TrySplit(string? uri, out Parts parts)
    {
        parts = default;
        if (string.IsNullOrEmpty(uri))
        {
            return CanonicalUriError.Empty;
        }
        if (uri.AsSpan().ContainsAnyExceptInRange('!', '~'))
        {
            return CanonicalUriError.InvalidCharacter;
        }
        var schemeEnd = uri.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0 || !char.IsAsciiLetter(uri[0]))
        {
            return CanonicalUriError.NotAbsolute;
        }
        var schemeText = uri.AsSpan(0, schemeEnd);
        var scheme = schemeText.Equals("http", StringComparison.OrdinalIgnoreCase) ? "http"
            : schemeText.Equals("https", StringComparison.OrdinalIgnoreCase) ? "https" : null;
        if (scheme is null)
        {
            return CanonicalUriError.UnsupportedScheme;
        }
        var authorityStart = schemeEnd + 3;
        var fragment = uri.IndexOf('#', authorityStart);
        var end = fragment < 0 ? uri.Length : fragment;
        var pathStart = uri.IndexOfAny(PathOrQuery, authorityStart, end - authorityStart);
        if (pathStart < 0)
        {
            pathStart = end;
        }
        var authority = uri.AsSpan(authorityStart, pathStart - authorityStart);
        if (authority.Contains('@'))
        {
            return CanonicalUriError.UserInfo;
        }
        int hostLength;
        if (authority.StartsWith("["))
        {
            var close = authority.IndexOf(']');
            if (close < 2 || authority[1..close].ContainsAnyExcept(Ipv6Chars))
            {
                return CanonicalUriError.InvalidHost;
            }
            hostLength = close + 1;
        }
        else
        {
            var colon = authority.IndexOf(':');
            hostLength = colon < 0 ? authority.Length : colon;
            var host = authority[..hostLength];
            if (host.IsEmpty || host.ContainsAnyExcept(HostChars))
            {
                return CanonicalUriError.InvalidHost;
            }
        }
        var portStart = -1;
        var port = 0;
        if (hostLength < authority.Length)
        {
            if (authority[hostLength] != ':')
            {
                return CanonicalUriError.InvalidHost;
            }
            var portText = authority[(hostLength + 1)..];
            if (portText.Length is 0 or > 5 || portText.ContainsAnyExceptInRange('0', '9')
                || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            {
                return CanonicalUriError.InvalidPort;
            }
            portStart = authorityStart + hostLength + 1;
        }
        parts = new Parts(scheme, schemeEnd, authorityStart, hostLength, portStart, port, pathStart, end, fragment);
        return CanonicalUriError.None;
    }

    private readonly record struct Parts(
        string Scheme, int SchemeEnd, int HostStart, int HostLength, int PortStart, int Port, int PathStart, int End, int Fragment);
}
