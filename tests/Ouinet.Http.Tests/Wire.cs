using System.Buffers;
using System.Text;

namespace Ouinet.Http.Tests;

/// <summary>Builds inputs for the tests: Latin-1 text to bytes, readers over bytes, written pieces to bytes.</summary>
internal static class Wire
{
    public static byte[] Bytes(string latin1) => Encoding.Latin1.GetBytes(latin1);

    public static string Text(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    /// <summary>A message reader over <paramref name="data"/>, delivered at most <paramref name="maxPerRead"/> bytes at a time.</summary>
    public static HttpMessageReader Reader(byte[] data, int maxPerRead = int.MaxValue, HttpLimits? limits = null) =>
        HttpMessageReader.Create(new TrickleStream(data, maxPerRead), limits);

    public static HttpMessageReader Reader(string latin1, int maxPerRead = int.MaxValue, HttpLimits? limits = null) =>
        Reader(Bytes(latin1), maxPerRead, limits);

    public static byte[] Written(Action<ArrayBufferWriter<byte>> write)
    {
        var w = new ArrayBufferWriter<byte>();
        write(w);
        return w.WrittenSpan.ToArray();
    }

    public static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    public static byte[] Vector(params string[] parts) => File.ReadAllBytes(TestPaths.Vector(["vectors", .. parts]));
}
