using System.Globalization;

namespace Ouinet.Protocol.Headers;

/// <summary>One <c>name=value</c> element of a comma-separated header value.</summary>
internal readonly record struct HeaderParameter(string Name, string Value);

/// <summary>
/// Splits <c>name=value, name="value"</c> lists, the shape of hs2019 signatures, <c>X-Ouinet-BSigs</c>,
/// <c>X-Ouinet-Injection</c> and <c>Digest</c>. Whitespace is allowed around commas and <c>=</c> (the spec's
/// examples have <c>created=N, headers=</c>). A value is a quoted string without escapes or commas, or a run of
/// characters other than whitespace, comma and quote (base64 with its <c>=</c> padding fits).
/// </summary>
internal static class HeaderParameters
{
    public static HeaderParseError TryParse(string? text, StringComparison nameComparison, out List<HeaderParameter> parameters)
    {
        parameters = [];
        var s = (text ?? string.Empty).AsSpan();
        var i = SkipWhitespace(s, 0);
        if (i == s.Length)
        {
            return HeaderParseError.Empty;
        }
        while (true)
        {
            var nameStart = i;
            while (i < s.Length && IsTokenChar(s[i]))
            {
                i++;
            }
            if (i == nameStart)
            {
                return HeaderParseError.MalformedParameter;
            }
            var name = s[nameStart..i].ToString();
            i = SkipWhitespace(s, i);
            if (i == s.Length || s[i] != '=')
            {
                return HeaderParseError.MalformedParameter;
            }
            i = SkipWhitespace(s, i + 1);
            string value;
            if (i < s.Length && s[i] == '"')
            {
                var close = s[(i + 1)..].IndexOf('"');
                if (close < 0)
                {
                    return s[(i + 1)..].Contains(',') ? HeaderParseError.CommaInQuotedString : HeaderParseError.UnterminatedQuotedString;
                }
                var quoted = s.Slice(i + 1, close);
                if (quoted.Contains(','))
                {
                    return HeaderParseError.CommaInQuotedString;
                }
                if (quoted.Contains('\\'))
                {
                    return HeaderParseError.InvalidQuotedString;
                }
                value = quoted.ToString();
                i += close + 2;
            }
            else
            {
                var valueStart = i;
                while (i < s.Length && s[i] is not (',' or '"' or ' ' or '\t'))
                {
                    i++;
                }
                if (i == valueStart)
                {
                    return HeaderParseError.MalformedParameter;
                }
                value = s[valueStart..i].ToString();
            }
            foreach (var p in parameters)
            {
                if (string.Equals(p.Name, name, nameComparison))
                {
                    return HeaderParseError.DuplicateParameter;
                }
            }
            parameters.Add(new HeaderParameter(name, value));
            i = SkipWhitespace(s, i);
            if (i == s.Length)
            {
                return HeaderParseError.None;
            }
            if (s[i] != ',')
            {
                return HeaderParseError.MalformedParameter;
            }
            i = SkipWhitespace(s, i + 1);
            if (i == s.Length)
            {
                // A trailing comma: an empty element.
                return HeaderParseError.MalformedParameter;
            }
        }
    }

    /// <summary>The value of <paramref name="name"/>, or null.</summary>
    public static string? Find(List<HeaderParameter> parameters, string name, StringComparison comparison = StringComparison.Ordinal)
    {
        foreach (var p in parameters)
        {
            if (string.Equals(p.Name, name, comparison))
            {
                return p.Value;
            }
        }
        return null;
    }

    /// <summary>ASCII digits only, fitting in a <see cref="long"/>.</summary>
    public static bool TryParseNonNegative(string value, out long number) => TryParseNonNegative(value.AsSpan(), out number);

    /// <summary>ASCII digits only, fitting in a <see cref="long"/>.</summary>
    public static bool TryParseNonNegative(ReadOnlySpan<char> value, out long number)
    {
        number = 0;
        return !value.IsEmpty
            && !value.ContainsAnyExceptInRange('0', '9')
            && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }

    private static int SkipWhitespace(ReadOnlySpan<char> s, int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t')
        {
            i++;
        }
        return i;
    }

    private static bool IsTokenChar(char c) => c <= 0x7f && Http.HttpSyntax.IsTokenChar((byte)c);
}
