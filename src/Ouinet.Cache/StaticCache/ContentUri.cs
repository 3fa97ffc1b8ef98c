using System.Text;

namespace Ouinet.Cache.StaticCache;

/// <summary>Maps a content file to its URI: the prefix followed by the file's path, each segment percent-encoded.</summary>
public static class ContentUri
{
    public static string For(string prefix, string relativePath)
    {
        var sb = new StringBuilder(prefix);
        var first = true;
        foreach (var segment in relativePath.Split('/'))
        {
            if (!first)
            {
                sb.Append('/');
            }
            first = false;
            foreach (var b in Encoding.UTF8.GetBytes(segment))
            {
                // RFC 3986 pchar: unreserved, sub-delims, ':' and '@' stay; everything else is percent-encoded.
                if (char.IsAsciiLetterOrDigit((char)b) || "-._~!$&'()*+,;=:@".Contains((char)b, StringComparison.Ordinal))
                {
                    sb.Append((char)b);
                }
                else
                {
                    sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }
        return sb.ToString();
    }
}
