using Ouinet.Protocol.Headers;

namespace Ouinet.Injector;

/// <summary>Where injection ids come from: random UUIDs in production, fixed ones in tests that compare bytes.</summary>
public interface IInjectionIdSource
{
    /// <summary>A new id: ASCII letters, digits, <c>-</c> and <c>_</c> only.</summary>
    string NewId();
}

/// <summary>Random lower-case UUIDs, as Ouinet C++ makes.</summary>
public sealed class RandomInjectionIds : IInjectionIdSource
{
    public static RandomInjectionIds Instance { get; } = new();

    public string NewId() => InjectionHeader.NewId();
}
