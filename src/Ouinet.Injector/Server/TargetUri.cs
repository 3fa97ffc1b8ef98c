using System.Globalization;

namespace Ouinet.Injector;

/// <summary>An absolute <c>http</c>/<c>https</c> request target split into what a request to its origin needs.</summary>
public readonly record struct TargetUri(bool Tls, string Authority, string Host, int Port, string PathAndQuery)
{
    private static readonly char[] PathOrQuery = ['/', '?'];

    /// <summary>
    /// Splits <c>scheme://authority[/path][?query][#fragment]</c> (scheme in any case; the fragment is dropped, the path
    /// and query kept byte for byte, <c>/</c> when empty). False for other schemes, user info, a malformed host or port.
    /// </summary>
    public static bool TryParse(string target, out TargetUri uri)
    {
        uri = default;
        var schemeEnd = target.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return false;
        }
        var scheme = target[..schemeEnd];
        bool tls;
        if (scheme.Equals("http", StringComparison.OrdinalIgnoreCase))
        {
            tls = false;
        }
        else if (scheme.Equals("https", StringComparison.OrdinalIgnoreCase))
        {
            tls = true;
        }
        else
        {
            return false;
        }
        var start = schemeEnd + 3;
        var fragment = target.IndexOf('#', start);
        var end = fragment < 0 ? target.Length : fragment;
        var pathStart = target.IndexOfAny(PathOrQuery, start, end - start);
        if (pathStart < 0)
        {
            pathStart = end;
        }
        var authority = target[start..pathStart];
        if (authority.Length == 0 || authority.Contains('@', StringComparison.Ordinal))
        {
            return false;
        }
        string host;
        string? portText = null;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 2)
            {
                return false;
            }
            host = authority[1..close];
            if (close + 1 < authority.Length)
            {
                if (authority[close + 1] != ':')
                {
                    return false;
                }
                portText = authority[(close + 2)..];
            }
        }
        else
        {
            var colon = authority.IndexOf(':', StringComparison.Ordinal);
            host = colon < 0 ? authority : authority[..colon];
            portText = colon < 0 ? null : authority[(colon + 1)..];
        }
        var port = tls ? 443 : 80;
        if (portText is not null && portText.Length > 0
            && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            return false;
        }
        if (host.Length == 0)
        {
            return false;
        }
        var path = target[pathStart..end];
        if (!path.StartsWith('/'))
        {
            path = "/" + path;
        }
        uri = new TargetUri(tls, authority, host, port, path);
        return true;
    }
}
