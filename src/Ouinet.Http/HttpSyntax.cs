namespace Ouinet.Http;

/// <summary>Character classes of RFC 9110/9112 used by the parser, the writer and field validation.</summary>
public static class HttpSyntax
{
    /// <summary>tchar: the characters of a token (field names, methods, chunk-extension names).</summary>
    public static bool IsTokenChar(byte c) =>
        c is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
          or (byte)'!' or (byte)'#' or (byte)'$' or (byte)'%' or (byte)'&' or (byte)'\'' or (byte)'*' or (byte)'+'
          or (byte)'-' or (byte)'.' or (byte)'^' or (byte)'_' or (byte)'`' or (byte)'|' or (byte)'~';

    public static bool IsToken(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }
        foreach (var c in s)
        {
            if (c > 0x7f || !IsTokenChar((byte)c))
            {
                return false;
            }
        }
        return true;
    }

    public static bool IsToken(ReadOnlySpan<byte> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }
        foreach (var c in s)
        {
            if (!IsTokenChar(c))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>field-vchar, SP and HTAB (obs-text allowed): everything but controls other than HTAB, and DEL.</summary>
    public static bool IsFieldValueChar(byte c) => c == (byte)'\t' || (c >= 0x20 && c != 0x7f);

    public static void ValidateFieldName(string name)
    {
        if (!IsToken(name))
        {
            throw new ArgumentException($"Invalid HTTP field name \"{name}\": must be a non-empty token.", nameof(name));
        }
    }

    public static void ValidateFieldValue(string value)
    {
        foreach (var c in value)
        {
            if (c > 0xff || !IsFieldValueChar((byte)c))
            {
                throw new ArgumentException("Invalid HTTP field value: it holds a control character (CR, LF or NUL?).", nameof(value));
            }
        }
    }
}
