using System.Text;

namespace Ouinet.Cli.Configuration;

/// <summary>One <c>key = value</c> setting and where it came from.</summary>
public readonly record struct ConfigEntry(string Key, string Value, string Source, int Line);

/// <summary>A config file that could not be read, with the file and line at fault.</summary>
public sealed class ConfigFileException : Exception
{
    public ConfigFileException()
        : base("Invalid config file.")
    {
    }

    public ConfigFileException(string message)
        : base(message)
    {
    }

    public ConfigFileException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>
/// Ouinet's config files (<c>ouinet-client.conf</c>, <c>ouinet-injector.conf</c>, the saved options), in the
/// Boost.ProgramOptions syntax the C++ Ouinet reads: <c>key = value</c> lines, <c>#</c> starts a comment, blank lines
/// ignored, a key may repeat (multi-valued options), <c>[section]</c> prefixes the keys after it with
/// <c>section.</c>. Bounded so that a stray huge file cannot exhaust memory.
/// </summary>
public static class ConfigFile
{
    public const int MaxBytes = 1024 * 1024;
    public const int MaxLineLength = 16 * 1024;

    public static IReadOnlyList<ConfigEntry> Load(string path)
    {
        var info = new FileInfo(path);
        if (info.Length > MaxBytes)
        {
            throw new ConfigFileException($"{path}: larger than {MaxBytes} bytes; is this really a config file?");
        }
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(File.ReadAllBytes(path));
        }
        catch (DecoderFallbackException)
        {
            throw new ConfigFileException($"{path}: not UTF-8 text");
        }
        return Parse(text, path);
    }

    public static IReadOnlyList<ConfigEntry> Parse(string text, string source)
    {
        var entries = new List<ConfigEntry>();
        var section = "";
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            if (rawLine.Length > MaxLineLength)
            {
                throw Error(source, lineNumber, $"line longer than {MaxLineLength} characters");
            }
            var line = StripComment(rawLine.TrimEnd('\r')).Trim();
            if (line.Length == 0)
            {
                continue;
            }
            if (line.StartsWith('['))
            {
                if (!line.EndsWith(']') || line.Length < 3)
                {
                    throw Error(source, lineNumber, $"malformed section header \"{line}\"");
                }
                section = line[1..^1].Trim() + ".";
                continue;
            }
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                throw Error(source, lineNumber, $"expected \"key = value\", got \"{line}\"");
            }
            var key = line[..eq].Trim();
            if (key.Length == 0 || !key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                throw Error(source, lineNumber, $"invalid option name \"{key}\"");
            }
            entries.Add(new ConfigEntry(section + key, Unquote(line[(eq + 1)..].Trim()), source, lineNumber));
        }
        return entries;
    }

    /// <summary>Writes entries back in the same syntax (used for the saved-options file).</summary>
    public static string Format(IEnumerable<KeyValuePair<string, string>> entries)
    {
        var sb = new StringBuilder();
        foreach (var (key, value) in entries)
        {
            sb.Append(key).Append(" = ").Append(value).Append('\n');
        }
        return sb.ToString();
    }

    // Boost treats '#' as a comment start anywhere on a line; quoted values may hold one.
    private static string StripComment(string line)
    {
        var inQuotes = false;
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '"')
            {
                inQuotes = !inQuotes;
            }
            else if (line[i] == '#' && !inQuotes)
            {
                return line[..i];
            }
        }
        return line;
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1] : value;

    private static ConfigFileException Error(string source, int line, string what) => new($"{source}:{line}: {what}");
}
