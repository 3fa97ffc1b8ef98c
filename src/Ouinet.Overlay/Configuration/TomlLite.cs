using System.Globalization;
using System.Text;

namespace Ouinet.Overlay.Configuration;

/// <summary>A config file that could not be read, with the line at fault.</summary>
public sealed class IrmdConfigException : Exception
{
    public IrmdConfigException()
        : base("Invalid irmd.conf.")
    {
    }

    public IrmdConfigException(string message)
        : base(message)
    {
    }

    public IrmdConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>One <c>key = value</c> of a TOML table, with its table path (<c>unicast</c>, <c>uni.a</c>) and line.</summary>
public sealed record TomlEntry(IReadOnlyList<string> Table, string Key, object Value, int Line);

/// <summary>
/// The subset of TOML that <c>irmd.conf</c> uses: <c>[type.name]</c> tables (parts bare or quoted), <c>key = value</c>
/// with strings, integers (decimal or 0x), decimals, booleans and one-line arrays of those; <c>#</c> comments.
/// Bounded: a file of at most 1 MiB, lines of 4 KiB, 256 array items.
/// </summary>
public static class TomlLite
{
    public const int MaxBytes = 1 << 20;
    public const int MaxLine = 4096;
    public const int MaxArray = 256;

    public static IReadOnlyList<TomlEntry> Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxBytes)
        {
            throw new IrmdConfigException($"{source}: larger than {MaxBytes} bytes");
        }
        var entries = new List<TomlEntry>();
        IReadOnlyList<string> table = [];
        var n = 0;
        foreach (var raw in text.Split('\n'))
        {
            n++;
            if (raw.Length > MaxLine)
            {
                throw Error(source, n, $"line longer than {MaxLine} characters");
            }
            var p = new Cursor(raw.TrimEnd('\r'), source, n);
            p.SkipSpace();
            if (p.AtEndOrComment)
            {
                continue;
            }
            if (p.Peek == '[')
            {
                p.Next();
                table = p.ReadKeyPath(']');
                p.Expect(']');
                p.ExpectEnd();
                continue;
            }
            var key = p.ReadKeyPath('=');
            p.Expect('=');
            var value = p.ReadValue(allowArray: true);
            p.ExpectEnd();
            entries.Add(new TomlEntry([.. table, .. key.SkipLast(1)], key[^1], value, n));
        }
        return entries;
    }

    private static IrmdConfigException Error(string source, int line, string what) => new($"{source}:{line}: {what}");

    private ref struct Cursor(string line, string source, int number)
    {
        private readonly string _line = line;
        private int _at;

        public readonly char Peek => _at < _line.Length ? _line[_at] : '\0';

        public readonly bool AtEndOrComment => _at >= _line.Length || _line[_at] == '#';

        public void Next() => _at++;

        public void SkipSpace()
        {
            while (_at < _line.Length && _line[_at] is ' ' or '\t')
            {
                _at++;
            }
        }

        public void Expect(char c)
        {
            SkipSpace();
            if (Peek != c)
            {
                throw Fail($"expected '{c}'");
            }
            _at++;
        }

        public void ExpectEnd()
        {
            SkipSpace();
            if (!AtEndOrComment)
            {
                throw Fail($"unexpected \"{_line[_at..]}\"");
            }
        }

        public List<string> ReadKeyPath(char end)
        {
            var parts = new List<string>();
            while (true)
            {
                SkipSpace();
                parts.Add(Peek == '"' ? ReadString() : ReadBare());
                SkipSpace();
                if (Peek != '.')
                {
                    break;
                }
                _at++;
            }
            if (Peek != end)
            {
                throw Fail($"expected '{end}' after a key");
            }
            return parts;
        }

        private string ReadBare()
        {
            var start = _at;
            while (_at < _line.Length && (char.IsAsciiLetterOrDigit(_line[_at]) || _line[_at] is '-' or '_'))
            {
                _at++;
            }
            return _at > start ? _line[start.._at] : throw Fail("expected a key");
        }

        private string ReadString()
        {
            _at++;
            var sb = new StringBuilder();
            while (_at < _line.Length && _line[_at] != '"')
            {
                var c = _line[_at++];
                if (c == '\\')
                {
                    if (_at >= _line.Length)
                    {
                        break;
                    }
                    c = _line[_at++] switch
                    {
                        '"' => '"',
                        '\\' => '\\',
                        'n' => '\n',
                        't' => '\t',
                        var other => throw Fail($"unknown escape \\{other}"),
                    };
                }
                else if (char.IsControl(c))
                {
                    throw Fail("control character in a string");
                }
                sb.Append(c);
            }
            if (_at >= _line.Length)
            {
                throw Fail("unterminated string");
            }
            _at++;
            return sb.ToString();
        }

        public object ReadValue(bool allowArray)
        {
            SkipSpace();
            switch (Peek)
            {
                case '"':
                    return ReadString();
                case '[' when allowArray:
                    _at++;
                    var items = new List<object>();
                    while (true)
                    {
                        SkipSpace();
                        if (Peek == ']')
                        {
                            _at++;
                            return items;
                        }
                        if (items.Count == MaxArray)
                        {
                            throw Fail($"array longer than {MaxArray}");
                        }
                        items.Add(ReadValue(allowArray: false));
                        SkipSpace();
                        if (Peek == ',')
                        {
                            _at++;
                        }
                        else if (Peek != ']')
                        {
                            throw Fail("expected ',' or ']' in an array");
                        }
                    }
                default:
                    var start = _at;
                    while (_at < _line.Length && (char.IsAsciiLetterOrDigit(_line[_at]) || _line[_at] is '.' or '-' or '+' or '_'))
                    {
                        _at++;
                    }
                    var token = _line[start.._at].Replace("_", "", StringComparison.Ordinal);
                    if (token is "true" or "false")
                    {
                        return token == "true";
                    }
                    if (token.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                        && long.TryParse(token.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
                    {
                        return hex;
                    }
                    if (long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
                    {
                        return integer;
                    }
                    if (token.Length > 0 && double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
                    {
                        return d;
                    }
                    throw Fail(token.Length == 0 ? "expected a value" : $"\"{token}\" is not a value (strings need quotes)");
            }
        }

        private readonly IrmdConfigException Fail(string what) => Error(source, number, what);
    }
}
