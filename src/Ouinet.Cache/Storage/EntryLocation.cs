using System.Security.Cryptography;
using System.Text;

namespace Ouinet.Cache.Storage;

/// <summary>
/// Where a cache entry lives in a <c>data-v3</c> tree: <c>data-v3/&lt;h[0:2]&gt;/&lt;h[2:]&gt;</c> with
/// <c>h = lower-hex(sha1(uri))</c> (protocol 6; the spec's "Cache exchange format").
/// </summary>
public static class EntryLocation
{
    /// <summary>The folder name of the entry store in a repository.</summary>
    public const string DataDirectoryName = "data-v3";

    /// <summary>lower-hex(sha1(<paramref name="key"/>)): names entry folders and group item files.</summary>
#pragma warning disable CA5350 // SHA-1 names folders as the protocol requires; it protects nothing.
    public static string KeyHash(string key) => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(key)));
#pragma warning restore CA5350

    /// <summary>The entry folder for <paramref name="uri"/>, relative to the repository.</summary>
    public static string RelativeDirectory(string uri)
    {
        var h = KeyHash(uri);
        return Path.Combine(DataDirectoryName, h[..2], h[2..]);
    }

    /// <summary>True when <paramref name="name"/> could be the first level of an entry path (two lower-hex digits).</summary>
    internal static bool IsPrefixName(string name) => name.Length == 2 && IsLowerHex(name);

    /// <summary>True when <paramref name="name"/> could be a two-level entry path component pair.</summary>
    internal static bool IsEntryDirectoryName(string prefix, string rest) =>
        prefix.Length == 2 && rest.Length == 38 && IsLowerHex(prefix) && IsLowerHex(rest);

    private static bool IsLowerHex(string s)
    {
        foreach (var c in s)
        {
            if (c is not (>= '0' and <= '9' or >= 'a' and <= 'f'))
            {
                return false;
            }
        }
        return true;
    }
}
