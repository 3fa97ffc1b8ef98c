using System.Globalization;

namespace Ouinet.Protocol.Headers;

/// <summary><c>X-Ouinet-Data-Size: &lt;bytes&gt;</c>: the length of the complete body, covered by <c>X-Ouinet-Sig1</c>.</summary>
public static class DataSizeHeader
{
    /// <summary>The decimal value.</summary>
    public static string Format(long dataSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dataSize);
        return dataSize.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>ASCII digits only (no sign, no whitespace), fitting in a <see cref="long"/>.</summary>
    public static bool TryParse(string? value, out long dataSize)
    {
        dataSize = 0;
        return value is not null && HeaderParameters.TryParseNonNegative(value, out dataSize);
    }
}
