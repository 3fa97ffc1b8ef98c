using System.Text;

namespace Ouinet.Http.Tests;

/// <summary>Heads as text, fields included, for equality checks.</summary>
internal static class Heads
{
    public static string Describe(HttpRequestHead h) => $"{h.Method}|{h.Target}|{h.Version}\n{Describe(h.Fields)}";

    public static string Describe(HttpResponseHead h) => $"{h.Version}|{h.StatusCode}|{h.Reason}\n{Describe(h.Fields)}";

    public static string Describe(HttpFields fields)
    {
        var sb = new StringBuilder();
        foreach (var f in fields)
        {
            sb.Append('[').Append(f.Name).Append("]=[").Append(f.Value).Append("]\n");
        }
        return sb.ToString();
    }
}
