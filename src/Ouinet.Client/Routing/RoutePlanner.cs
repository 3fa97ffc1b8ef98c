using Ouinet.Cache.Policy;
using Ouinet.Http;

namespace Ouinet.Client.Routing;

/// <summary>Which mechanisms the user has switched on (the client's <c>disable-*-access</c> options and front-end switches).</summary>
public sealed record EnabledMechanisms(bool Origin = true, bool Proxy = true, bool Injector = true, bool DistributedCache = true);

/// <summary>What is known about the request's target before any network access.</summary>
public enum TargetKind
{
    /// <summary>A public host: every mechanism may be used.</summary>
    Public,
    /// <summary>Loopback, private, link-local, or under <c>local-domain</c>: only the origin, never shared.</summary>
    Local,
}

/// <summary>The state of a stored entry for the request's URI, if any.</summary>
public enum StoredState
{
    None,
    Fresh,
    Stale,
}

/// <summary>The mechanisms to try, in order, and why.</summary>
public sealed record RoutePlan(IReadOnlyList<Mechanism> Mechanisms, string Reason);

/// <summary>
/// Decides, per request, which mechanisms to try and in which order (the README explains the order):
/// <list type="number">
/// <item>Local or private targets: the origin only (unless <c>allow-private-targets</c>): nothing about the user's own
/// network goes to the injector or other peers.</item>
/// <item>Requests that must stay private — <c>X-Ouinet-Private: true</c>, a method other than GET/HEAD, a body, or
/// credentials (<c>Cookie</c>, <c>Authorization</c>): the origin, then the injector as a plain proxy. Never cached,
/// never sent for injection (its canonical request would drop the credentials and fetch someone else's page).</item>
/// <item>Cacheable requests: a fresh stored entry first; then the origin; then injection; then other clients; then the
/// injector as a plain proxy (it sees no more than an injection shows it, and gives a fresh if unsigned answer when
/// injection alone failed or is switched off); then a stale stored entry as the last resort. When the request insists
/// on revalidation (<c>no-cache</c>, <c>max-age=0</c>, <c>If-None-Match</c>) a fresh entry is not used first.</item>
/// </list>
/// Mechanisms the user switched off are left out.
/// </summary>
public static class RoutePlanner
{
    private static readonly RoutePlan?[] CacheablePlans = new RoutePlan?[128];

    /// <summary>Request fields that carry the user's identity: such requests are proxied, not injected.</summary>
    public static IReadOnlySet<string> CredentialFields { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Cookie", "Authorization" };

    public static RoutePlan Plan(HttpRequestHead request, TargetKind target, StoredState stored, EnabledMechanisms enabled, bool allowPrivateTargets = false)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(enabled);
        if (target == TargetKind.Local && !allowPrivateTargets)
        {
            return Filter([Mechanism.Origin], enabled, "a local or private target: the origin only");
        }
        var cacheability = RequestPolicy.Classify(request);
        if (cacheability != RequestCacheability.Eligible)
        {
            return Filter([Mechanism.Origin, Mechanism.Proxy], enabled, $"not cacheable ({cacheability}): origin, then the injector as a proxy");
        }
        if (CarriesCredentials(request))
        {
            return Filter([Mechanism.Origin, Mechanism.Proxy], enabled, "carries credentials: origin, then the injector as a proxy");
        }
        var revalidate = RequestPolicy.ForcesRevalidation(request.Fields);
        // The cacheable plans are few (stored state × revalidation × every EnabledMechanisms switch) and immutable:
        // each is built once.
        var key = (int)stored | (revalidate ? 4 : 0) | (enabled.Origin ? 8 : 0) | (enabled.Proxy ? 16 : 0) | (enabled.Injector ? 32 : 0) | (enabled.DistributedCache ? 64 : 0);
        return CacheablePlans[key] ??= Cacheable(stored, revalidate, enabled);
    }

    private static RoutePlan Cacheable(StoredState stored, bool revalidate, EnabledMechanisms enabled)
    {
        var plan = new List<Mechanism>();
        if (stored == StoredState.Fresh && !revalidate)
        {
            plan.Add(Mechanism.LocalCache);
        }
        plan.AddRange([Mechanism.Origin, Mechanism.Injector, Mechanism.DistributedCache, Mechanism.Proxy]);
        if (stored != StoredState.None)
        {
            plan.Add(Mechanism.StaleCache);
        }
        return Filter(plan, enabled, revalidate ? "cacheable, revalidation asked: the network first, the store last" : "cacheable");
    }

    private static bool CarriesCredentials(HttpRequestHead request)
    {
        foreach (var field in request.Fields)
        {
            if (CredentialFields.Contains(field.Name))
            {
                return true;
            }
        }
        return false;
    }

    private static RoutePlan Filter(IEnumerable<Mechanism> plan, EnabledMechanisms enabled, string reason) =>
        new([.. plan.Where(m => m switch
        {
            Mechanism.Origin => enabled.Origin,
            Mechanism.Proxy => enabled.Proxy,
            Mechanism.Injector => enabled.Injector,
            Mechanism.DistributedCache => enabled.DistributedCache,
            _ => true,
        })], reason);
}
