using Ouinet.Protocol;

namespace Ouinet.Cache.Store;

/// <summary>What the store's index knows of an entry without opening it.</summary>
/// <param name="Uri">The entry's URI (<c>X-Ouinet-URI</c>).</param>
/// <param name="DataSize">The body's length in bytes (<c>X-Ouinet-Data-Size</c>).</param>
/// <param name="InjectionId">The injection id.</param>
/// <param name="InjectionTimestamp">When it was injected, in seconds since 1970-01-01 UTC (what age-based eviction uses).</param>
/// <param name="Version">Its <c>X-Ouinet-Version</c>, when readable.</param>
/// <param name="Groups">The resource groups it belongs to.</param>
public sealed record StoredEntryInfo(
    string Uri,
    long DataSize,
    string InjectionId,
    long InjectionTimestamp,
    ProtocolVersion? Version,
    IReadOnlyList<string> Groups);
