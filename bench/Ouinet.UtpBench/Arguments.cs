using System.Globalization;

namespace Ouinet.UtpBench;

/// <summary><c>--name value</c> and <c>--flag</c> arguments.</summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static Arguments Parse(string[] args)
    {
        var parsed = new Arguments();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i].TrimStart('-');
            var hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            parsed._values[name] = hasValue ? args[++i] : "true";
        }
        return parsed;
    }

    public string? Get(string name) => _values.GetValueOrDefault(name);

    public bool Flag(string name) => _values.ContainsKey(name);

    public long Long(string name, long fallback) => _values.TryGetValue(name, out var v) ? long.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) => _values.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
