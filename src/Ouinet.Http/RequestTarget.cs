using System.Text;

namespace Ouinet.Http;

/// <summary>Classifies and validates request targets (RFC 9112 §3.2).</summary>
public static class RequestTarget
{
    public static RequestTargetForm FormOf(string method, string target)
    {
        if (target.StartsWith('/'))
        {
            return RequestTargetForm.Origin;
        }
        if (target == "*" && method == "OPTIONS")
        {
            return RequestTargetForm.Asterisk;
        }
        if (method == "CONNECT")
        {
            return RequestTargetForm.Authority;
        }
        return RequestTargetForm.Absolute;
    }

    /// <summary>
    /// Splits a CONNECT target <c>host:port</c> (IPv6 hosts bracketed: <c>[::1]:443</c>; the brackets are kept).
    /// False unless it is a valid authority-form target with a port from 0 to 65535.
    /// </summary>
    public static bool TryParseAuthority(string authority, out string host, out int port)
    {
        host = "";
        port = 0;
        if (authority.Any(c => c > 0x7f))
        {
            return false;
        }
        var bytes = Encoding.ASCII.GetBytes(authority);
        if (!TrySplitAuthority(bytes, requirePort: true, out var hostLength, out port))
        {
            return false;
        }
        host = authority[..hostLength];
        return true;
    }

    /// <summary>Null when <paramref name="target"/> may go with <paramref name="method"/>, else what is wrong.</summary>
    internal static string? Validate(ReadOnlySpan<byte> method, ReadOnlySpan<byte> target)
    {
        if (target.IsEmpty)
        {
            return "Empty request target.";
        }
        foreach (var c in target)
        {
            // Visible ASCII only: RFC 3986 has no raw spaces, controls or non-ASCII (they must be percent-encoded).
            if (c is <= 0x20 or >= 0x7f)
            {
                return "Request target holds a space, a control or a non-ASCII byte.";
            }
        }
        var connect = method.SequenceEqual("CONNECT"u8);
        if (connect)
        {
            return TrySplitAuthority(target, requirePort: true, out _, out _)
                ? null
                : "CONNECT needs an authority-form target host:port (RFC 9112 §3.2.3).";
        }
        if (target[0] == (byte)'/')
        {
            return null;
        }
        if (target.SequenceEqual("*"u8))
        {
            return method.SequenceEqual("OPTIONS"u8) ? null : "Asterisk-form target is only for OPTIONS (RFC 9112 §3.2.4).";
        }
        return IsAbsoluteForm(target) ? null : "Request target is neither origin-form (/path) nor absolute-form (scheme://host/path).";
    }

    /// <summary>Checks a Host field value: empty, or <c>host[:port]</c>.</summary>
    internal static bool IsValidHostField(ReadOnlySpan<byte> value) =>
        value.IsEmpty || TrySplitAuthority(value, requirePort: false, out _, out _);

    /// <summary><c>scheme "://" authority [ path-abempty ] [ "?" query ]</c>, with a non-empty host.</summary>
    private static bool IsAbsoluteForm(ReadOnlySpan<byte> target)
    {
        var colon = target.IndexOf((byte)':');
        if (colon <= 0 || !IsAsciiLetter(target[0]))
        {
            return false;
        }
        foreach (var c in target[..colon])
        {
            if (!(IsAsciiLetter(c) || c is >= (byte)'0' and <= (byte)'9' or (byte)'+' or (byte)'-' or (byte)'.'))
            {
                return false;
            }
        }
        var rest = target[(colon + 1)..];
        if (!rest.StartsWith("//"u8))
        {
            return false;
        }
        rest = rest[2..];
        var end = rest.IndexOfAny("/?#"u8);
        var authority = end < 0 ? rest : rest[..end];
        // userinfo@ is allowed in a URI but deprecated; accept it and check the host after it.
        var at = authority.LastIndexOf((byte)'@');
        if (at >= 0)
        {
            authority = authority[(at + 1)..];
        }
        return TrySplitAuthority(authority, requirePort: false, out _, out _);
    }

    /// <summary><c>uri-host [ ":" port ]</c>: reg-name, IPv4 or a bracketed IP literal, then 0..65535.</summary>
    private static bool TrySplitAuthority(ReadOnlySpan<byte> authority, bool requirePort, out int hostLength, out int port)
    {
        hostLength = 0;
        port = 0;
        int hostEnd;
        if (authority.StartsWith("["u8))
        {
            var close = authority.IndexOf((byte)']');
            if (close < 2)
            {
                return false;
            }
            foreach (var c in authority[1..close])
            {
                if (!(Uri.IsHexDigit((char)c) || c is (byte)':' or (byte)'.'))
                {
                    return false;
                }
            }
            hostEnd = close + 1;
        }
        else
        {
            hostEnd = authority.IndexOf((byte)':');
            if (hostEnd < 0)
            {
                hostEnd = authority.Length;
            }
            if (hostEnd == 0)
            {
                return false;
            }
            foreach (var c in authority[..hostEnd])
            {
                if (!IsRegNameChar(c))
                {
                    return false;
                }
            }
        }
        hostLength = hostEnd;
        var rest = authority[hostEnd..];
        if (rest.IsEmpty)
        {
            return !requirePort;
        }
        if (rest[0] != (byte)':' || rest.Length is < 2 or > 6)
        {
            return false;
        }
        foreach (var c in rest[1..])
        {
            if (c is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
            port = (port * 10) + (c - '0');
        }
        return port <= 65535;
    }

    private static bool IsAsciiLetter(byte c) => c is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z';

    // unreserved / pct-encoded / sub-delims (RFC 3986 §3.2.2)
    private static bool IsRegNameChar(byte c) =>
        IsAsciiLetter(c) || c is >= (byte)'0' and <= (byte)'9'
          or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~' or (byte)'%'
          or (byte)'!' or (byte)'$' or (byte)'&' or (byte)'\'' or (byte)'(' or (byte)')'
          or (byte)'*' or (byte)'+' or (byte)',' or (byte)';' or (byte)'=';
}
