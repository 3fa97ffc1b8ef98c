using System.Collections.Frozen;
using Ouinet.Http;
using Ouinet.Protocol;

namespace Ouinet.Injector;

/// <summary>Fields that belong to one connection and must not be forwarded (RFC 9110 §7.6.1), plus proxy fields.</summary>
public static class HopByHop
{
    private static readonly FrozenSet<string> Names = new[]
    {
        "Connection", "Keep-Alive", "Proxy-Authorization", "Proxy-Authenticate", "Proxy-Connection", "TE", "Trailer",
        "Transfer-Encoding", "Upgrade",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// A copy of <paramref name="fields"/> without hop-by-hop fields, the fields <c>Connection</c> names, Ouinet's own
    /// fields (meant for the injector, never for an origin or a user agent), and <paramref name="alsoDrop"/>.
    /// </summary>
    public static HttpFields Strip(HttpFields fields, params string[] alsoDrop)
    {
        var named = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var value in fields.GetAll("Connection"))
        {
            foreach (var token in value.Split(','))
            {
                var name = token.Trim();
                if (name.Length > 0)
                {
                    named.Add(name);
                }
            }
        }
        var kept = new HttpFields();
        foreach (var field in fields)
        {
            if (!Names.Contains(field.Name) && !named.Contains(field.Name) && !OuinetHeaders.IsOuinetField(field.Name)
                && !alsoDrop.Contains(field.Name, StringComparer.OrdinalIgnoreCase))
            {
                kept.Add(field.Name, field.Value);
            }
        }
        return kept;
    }
}
