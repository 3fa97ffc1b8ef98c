using System.Globalization;
using System.Text;
using Ouinet.Http;

namespace Ouinet.Protocol.Tests.Support;

/// <summary>
/// Just enough HTTP/1.1 head handling for the vectors, so these tests need no parser: a head is the status line
/// and <c>Name: value</c> lines, each ending CRLF, up to an empty line. Bytes map to chars one to one (Latin-1).
/// </summary>
internal static class HeadText
{
    /// <summary>The head of a message file: everything up to and including the first empty line.</summary>
    public static byte[] HeadBytes(byte[] message)
    {
        var end = message.AsSpan().IndexOf("\r\n\r\n"u8);
        Assert.True(end >= 0, "no end of head");
        return message[..(end + 4)];
    }

    public static HttpResponseHead ParseResponse(byte[] message)
    {
        var lines = Encoding.Latin1.GetString(HeadBytes(message)).Split("\r\n");
        var status = lines[0].Split(' ', 3);
        Assert.Equal("HTTP/1.1", status[0]);
        var head = new HttpResponseHead(int.Parse(status[1], CultureInfo.InvariantCulture), status.Length > 2 ? status[2] : string.Empty);
        AddFields(head.Fields, lines.AsSpan(1));
        return head;
    }

    /// <summary>The trailer section after the last chunk of a chunked message file.</summary>
    public static HttpFields ParseTrailer(byte[] message)
    {
        var text = Encoding.Latin1.GetString(message);
        var lastChunk = text.LastIndexOf("\r\n0", StringComparison.Ordinal);
        var start = text.IndexOf("\r\n", lastChunk + 2, StringComparison.Ordinal) + 2;
        var fields = new HttpFields();
        AddFields(fields, text[start..].Split("\r\n"));
        return fields;
    }

    /// <summary>Status line, <c>Name: value</c> lines, empty line, all CRLF.</summary>
    public static byte[] Write(HttpResponseHead head)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {head.StatusCode} {head.Reason}\r\n");
        foreach (var field in head.Fields)
        {
            text.Append(CultureInfo.InvariantCulture, $"{field.Name}: {field.Value}\r\n");
        }
        text.Append("\r\n");
        return Encoding.Latin1.GetBytes(text.ToString());
    }

    public static HttpFields Fields(params string[] lines)
    {
        var fields = new HttpFields();
        AddFields(fields, lines);
        return fields;
    }

    private static void AddFields(HttpFields fields, ReadOnlySpan<string> lines)
    {
        foreach (var line in lines)
        {
            if (line.Length == 0)
            {
                break;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            fields.Add(line[..colon], line[(colon + 1)..].Trim(' ', '\t'));
        }
    }
}
