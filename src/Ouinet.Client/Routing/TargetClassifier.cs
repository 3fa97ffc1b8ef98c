using System.Net;
using Ouinet.Injector.Origin;

namespace Ouinet.Client.Routing;

/// <summary>
/// Tells local targets from public ones without any DNS lookup: literal loopback, private, link-local and other
/// non-public addresses (<see cref="TargetAddressPolicy"/>), <c>localhost</c> and <c>*.localhost</c>, and names under
/// the <c>local-domain</c> TLD. (A public name that resolves to a private address is caught by the injector's own check.)
/// </summary>
public static class TargetClassifier
{
    public static TargetKind Classify(string host, string localDomain)
    {
        ArgumentNullException.ThrowIfNull(host);
        var name = host.Trim('[', ']').TrimEnd('.').ToLowerInvariant();
        if (IPAddress.TryParse(name, out var address))
        {
            return TargetAddressPolicy.IsPublic(address) ? TargetKind.Public : TargetKind.Local;
        }
        if (name == "localhost" || name.EndsWith(".localhost", StringComparison.Ordinal)
            || name.Equals(localDomain, StringComparison.OrdinalIgnoreCase) || name.EndsWith("." + localDomain, StringComparison.OrdinalIgnoreCase))
        {
            return TargetKind.Local;
        }
        return TargetKind.Public;
    }
}
