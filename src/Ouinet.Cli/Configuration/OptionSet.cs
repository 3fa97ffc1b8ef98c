using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ouinet.Cli.Configuration;

/// <summary>What an option takes.</summary>
public enum OptionKind
{
    /// <summary>A boolean: <c>--name</c> on the command line; <c>name = true|false|1|0|yes|no|on|off</c> in a file.</summary>
    Flag,

    /// <summary>One value; a later one replaces an earlier one within the same source.</summary>
    Value,

    /// <summary>Repeatable; the values of the winning source, in order.</summary>
    List,
}

/// <summary>
/// One option as Ouinet names it. <paramref name="Default"/> is the value used when no source gives one (null: unset);
/// <paramref name="ConfigExample"/>, when set, is written active (uncommented) into a generated config file.
/// <paramref name="Persistent"/> options (Ouinet's client) are also kept in a saved-options file between runs.
/// </summary>
public sealed record OptionSpec(string Name, OptionKind Kind, string Help, string? Default = null, string? ConfigExample = null, string? ValueName = null, bool Persistent = false)
{
    /// <summary>The help text as <c>--help</c> and the config file show it (Ouinet's persistence note included).</summary>
    public string FullHelp => Persistent ? $"{Help} This option is persistent." : Help;
}

/// <summary>An option's value and where it came from (<c>command line</c>, a file and line, or <c>default</c>).</summary>
public sealed record OptionValue(IReadOnlyList<string> Values, string Source)
{
    public string? Single => Values.Count == 0 ? null : Values[^1];
}

/// <summary>Settings that came from no valid source, each described with its source.</summary>
public sealed class OptionException(IReadOnlyList<string> errors) : Exception(string.Join(Environment.NewLine, errors))
{
    public OptionException()
        : this([])
    {
    }

    public OptionException(string message)
        : this([message])
    {
    }

    public OptionException(string message, Exception innerException)
        : this([message]) => _ = innerException;

    public IReadOnlyList<string> Errors { get; } = errors;
}

/// <summary>
/// One definition of a command's options that yields all three faces of them: the System.CommandLine options (hence
/// <c>--help</c>), the reader of Ouinet's <c>key = value</c> config file, and the documented default config file.
/// Layering is Ouinet's: a value given on the command line wins over the file, the file over the default. Unknown keys
/// in the file are errors, as Boost.ProgramOptions makes them.
/// </summary>
public sealed class OptionSet
{
    private readonly Dictionary<string, (OptionSpec Spec, Option Option)> _options = new(StringComparer.Ordinal);

    public OptionSet(IEnumerable<OptionSpec> specs)
    {
        ArgumentNullException.ThrowIfNull(specs);
        foreach (var spec in specs)
        {
            var description = spec.Default is null ? spec.FullHelp : $"{spec.FullHelp} (default: {spec.Default})";
            Option option = spec.Kind switch
            {
                OptionKind.Flag => new Option<bool>("--" + spec.Name) { Description = description },
                OptionKind.Value => new Option<string>("--" + spec.Name) { Description = description, HelpName = spec.ValueName },
                _ => new Option<string[]>("--" + spec.Name) { Description = description, HelpName = spec.ValueName, AllowMultipleArgumentsPerToken = false },
            };
            _options.Add(spec.Name, (spec, option));
        }
    }

    public IEnumerable<OptionSpec> Specs => _options.Values.Select(o => o.Spec);

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var (_, option) in _options.Values)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>
    /// Every option's value: the command line's when given there, else the saved options' (<paramref name="saved"/>,
    /// persistent options only), else the file's (<paramref name="config"/>), else the default. Throws
    /// <see cref="OptionException"/> listing every unknown key, malformed boolean and non-persistent saved option.
    /// </summary>
    public IReadOnlyDictionary<string, OptionValue> Resolve(ParseResult commandLine, IReadOnlyList<ConfigEntry> config, IReadOnlyList<ConfigEntry>? saved = null)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        ArgumentNullException.ThrowIfNull(config);
        var errors = new List<string>();
        var fromSaved = Group(saved ?? [], errors, persistentOnly: true);
        var fromFile = Group(config, errors, persistentOnly: false);
        foreach (var (name, entries) in fromSaved)
        {
            fromFile[name] = entries;
        }
        if (errors.Count > 0)
        {
            throw new OptionException(errors);
        }
        var values = new Dictionary<string, OptionValue>(StringComparer.Ordinal);
        foreach (var (name, (spec, option)) in _options)
        {
            if (commandLine.GetResult(option) is { Implicit: false } given)
            {
                values[name] = spec.Kind switch
                {
                    OptionKind.Flag => new OptionValue([commandLine.GetValue((Option<bool>)option) ? "true" : "false"], "command line"),
                    OptionKind.Value => new OptionValue([commandLine.GetValue((Option<string>)option) ?? ""], "command line"),
                    _ => new OptionValue(commandLine.GetValue((Option<string[]>)option) ?? [], "command line"),
                };
                _ = given;
            }
            else if (fromFile.TryGetValue(name, out var entries))
            {
                var source = $"{entries[^1].Source}:{entries[^1].Line}";
                values[name] = spec.Kind == OptionKind.List
                    ? new OptionValue([.. entries.Select(e => e.Value)], source)
                    : new OptionValue([spec.Kind == OptionKind.Flag ? Normalize(entries[^1].Value) : entries[^1].Value], source);
            }
            else
            {
                values[name] = new OptionValue(spec.Default is null || spec.Kind == OptionKind.List ? [] : [spec.Default], "default");
            }
        }
        return values;
    }

    /// <summary>
    /// The saved-options file as Ouinet C++ writes it: one <c>name = value</c> line per persistent option (each value of
    /// a list), in definition order, booleans as <c>0</c>/<c>1</c>, the log level in upper case.
    /// </summary>
    public string FormatSavedOptions(IReadOnlyDictionary<string, OptionValue> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var entries = new List<KeyValuePair<string, string>>();
        foreach (var spec in Specs.Where(s => s.Persistent))
        {
            var value = values[spec.Name];
            foreach (var v in spec.Kind == OptionKind.List ? value.Values : [value.Single ?? ""])
            {
                var text = spec.Kind == OptionKind.Flag ? (TryParseBool(v, out var b) && b ? "1" : "0") : spec.Name == "log-level" ? v.ToUpperInvariant() : v;
                entries.Add(new(spec.Name, text));
            }
        }
        return ConfigFile.Format(entries);
    }

    private Dictionary<string, List<ConfigEntry>> Group(IReadOnlyList<ConfigEntry> entries, List<string> errors, bool persistentOnly)
    {
        var grouped = new Dictionary<string, List<ConfigEntry>>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (!_options.TryGetValue(entry.Key, out var known))
            {
                errors.Add($"{entry.Source}:{entry.Line}: unknown option \"{entry.Key}\"");
                continue;
            }
            if (persistentOnly && !known.Spec.Persistent)
            {
                errors.Add($"{entry.Source}:{entry.Line}: {entry.Key} is not a persistent option");
                continue;
            }
            if (known.Spec.Kind == OptionKind.Flag && !TryParseBool(entry.Value, out _))
            {
                errors.Add($"{entry.Source}:{entry.Line}: {entry.Key} must be true or false, not \"{entry.Value}\"");
                continue;
            }
            if (!grouped.TryGetValue(entry.Key, out var list))
            {
                grouped[entry.Key] = list = [];
            }
            list.Add(entry);
        }
        return grouped;
    }

    /// <summary>
    /// The documented config file: a header, then each option's help as a comment and the option either active (when it
    /// has a <see cref="OptionSpec.ConfigExample"/>) or commented out with its default.
    /// </summary>
    public string FormatConfigFile(string header)
    {
        var text = new StringBuilder();
        foreach (var line in header.Split('\n'))
        {
            text.Append("# ").Append(line.TrimEnd()).Append('\n');
        }
        foreach (var spec in Specs)
        {
            text.Append('\n');
            foreach (var line in Wrap(spec.FullHelp + (spec.Default is null ? "" : $" Default: {spec.Default}."), 100))
            {
                text.Append("# ").Append(line).Append('\n');
            }
            if (spec.ConfigExample is not null)
            {
                text.Append(spec.Name).Append(" = ").Append(spec.ConfigExample).Append('\n');
            }
            else
            {
                var value = spec.Default ?? (spec.Kind == OptionKind.Flag ? "false" : spec.ValueName ?? "");
                text.Append('#').Append(spec.Name).Append(" = ").Append(value).Append('\n');
            }
        }
        return text.ToString();
    }

    /// <summary>Boost's spellings of a boolean.</summary>
    public static bool TryParseBool(string text, out bool value)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "true" or "1" or "yes" or "on" or "":
                value = true;
                return true;
            case "false" or "0" or "no" or "off":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    private static string Normalize(string text) => TryParseBool(text, out var value) && value ? "true" : "false";

    private static IEnumerable<string> Wrap(string text, int width)
    {
        var line = new StringBuilder();
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                yield return line.ToString();
                line.Clear();
            }
            if (line.Length > 0)
            {
                line.Append(' ');
            }
            line.Append(word);
        }
        if (line.Length > 0)
        {
            yield return line.ToString();
        }
    }
}

/// <summary>Typed access to resolved values.</summary>
public static class OptionValues
{
    public static string? GetString(this IReadOnlyDictionary<string, OptionValue> values, string name) =>
        values[name].Single is { Length: > 0 } s ? s : null;

    public static bool GetFlag(this IReadOnlyDictionary<string, OptionValue> values, string name) =>
        values[name].Single is { } s && OptionSet.TryParseBool(s, out var b) && b;

    public static IReadOnlyList<string> GetList(this IReadOnlyDictionary<string, OptionValue> values, string name) =>
        [.. values[name].Values.Where(v => v.Length > 0)];

    /// <summary>An <c>IP:PORT</c> value (IPv6 as <c>[ADDR]:PORT</c>); null when unset, or with a message in <paramref name="errors"/>.</summary>
    public static IPEndPoint? GetEndPoint(this IReadOnlyDictionary<string, OptionValue> values, string name, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (values.GetString(name) is not { } text)
        {
            return null;
        }
        var hasPort = text.StartsWith('[') ? text.Contains("]:", StringComparison.Ordinal) : text.Contains(':', StringComparison.Ordinal);
        if (hasPort && IPEndPoint.TryParse(text, out var endpoint) && (endpoint.AddressFamily != AddressFamily.InterNetworkV6 || text.StartsWith('[')))
        {
            return endpoint;
        }
        errors.Add($"{name} \"{text}\" ({values[name].Source}) is not IP:PORT (IPv6 as [ADDR]:PORT)");
        return null;
    }
}
