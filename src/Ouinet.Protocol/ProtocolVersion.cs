using System.Globalization;

namespace Ouinet.Protocol;

/// <summary>
/// The Ouinet protocol version, as carried by <c>X-Ouinet-Version</c> and in swarm names (<c>/v6/</c>).
/// It is a value that flows through the code so that a node can one day speak 6 and 7 side by side.
/// </summary>
public readonly record struct ProtocolVersion(int Value) : IComparable<ProtocolVersion>
{
    /// <summary>Protocol 6 (Ouinet 1.6.x, cache layout <c>data-v3</c>): what we speak.</summary>
    public static ProtocolVersion V6 { get; } = new(6);

    /// <summary>Protocol 7 (Ouinet 1.7.x): same signing rules, different peer exchange. Planned.</summary>
    public static ProtocolVersion V7 { get; } = new(7);

    /// <summary>The version this implementation emits.</summary>
    public static ProtocolVersion Current => V6;

    /// <summary>
    /// Parses an <c>X-Ouinet-Version</c> value: ASCII digits only (the C++ checks <c>^[0-9]+$</c>), no sign,
    /// no whitespace, fitting in an <see cref="int"/>.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out ProtocolVersion version)
    {
        version = default;
        if (text.IsEmpty || text.ContainsAnyExceptInRange('0', '9'))
        {
            return false;
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }
        version = new ProtocolVersion(value);
        return true;
    }

    /// <inheritdoc/>
    public int CompareTo(ProtocolVersion other) => Value.CompareTo(other.Value);

    /// <summary>The header form: the decimal number.</summary>
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);

    public static bool operator <(ProtocolVersion left, ProtocolVersion right) => left.Value < right.Value;

    public static bool operator >(ProtocolVersion left, ProtocolVersion right) => left.Value > right.Value;

    public static bool operator <=(ProtocolVersion left, ProtocolVersion right) => left.Value <= right.Value;

    public static bool operator >=(ProtocolVersion left, ProtocolVersion right) => left.Value >= right.Value;
}
