using System.Text;

namespace Ouinet.Utp.Tests.Interop;

/// <summary>Just enough bencode to read a .torrent in tests: integers, byte strings, lists, dictionaries (bounded depth).</summary>
internal static class Bencode
{
    public static object Decode(ReadOnlySpan<byte> data)
    {
        var position = 0;
        var value = Read(data, ref position, 0);
        return position == data.Length ? value : throw new FormatException("Trailing bytes after the bencoded value.");
    }

    private static object Read(ReadOnlySpan<byte> data, ref int position, int depth)
    {
        if (depth > 32)
        {
            throw new FormatException("Nested too deeply.");
        }
        switch (data[position])
        {
            case (byte)'i':
                var end = data[position..].IndexOf((byte)'e') + position;
                var number = long.Parse(data[(position + 1)..end], provider: System.Globalization.CultureInfo.InvariantCulture);
                position = end + 1;
                return number;
            case (byte)'l':
                position++;
                var list = new List<object>();
                while (data[position] != (byte)'e')
                {
                    list.Add(Read(data, ref position, depth + 1));
                }
                position++;
                return list;
            case (byte)'d':
                position++;
                var dictionary = new Dictionary<string, object>(StringComparer.Ordinal);
                while (data[position] != (byte)'e')
                {
                    var key = Encoding.Latin1.GetString((byte[])Read(data, ref position, depth + 1));
                    dictionary[key] = Read(data, ref position, depth + 1);
                }
                position++;
                return dictionary;
            default:
                var colon = data[position..].IndexOf((byte)':') + position;
                var length = int.Parse(data[position..colon], provider: System.Globalization.CultureInfo.InvariantCulture);
                var bytes = data.Slice(colon + 1, length).ToArray();
                position = colon + 1 + length;
                return bytes;
        }
    }
}
