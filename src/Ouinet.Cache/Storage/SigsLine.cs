using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Ouinet.Cache.Storage;

/// <summary>
/// One line of a <c>sigs</c> file: <c>&lt;16 lower-hex offset&gt; &lt;b64 block-signature(i)&gt; &lt;b64 hash(i)&gt;
/// &lt;b64 chained-hash(i-1)&gt;\n</c>, 283 characters plus LF. For block 0 the last column is 64 NUL bytes, a storage
/// placeholder only: the chain computation itself starts from the empty string.
/// </summary>
public sealed record SigsLine(long Offset, byte[] Signature, byte[] BlockHash, byte[] PreviousChainedHash)
{
    public const int HashSize = 64;
    public const int SignatureSize = 64;

    /// <summary>Characters in a line without its LF.</summary>
    public const int TextLength = 16 + 1 + 88 + 1 + 88 + 1 + 88;

    /// <summary>Bytes in a line with its LF.</summary>
    public const int LineLength = TextLength + 1;

    private static readonly byte[] NoChainedHash = new byte[HashSize];

    /// <summary>The line for block <paramref name="offset"/>; a null or empty previous hash (block 0) is stored as NULs.</summary>
    public static SigsLine Create(long offset, ReadOnlySpan<byte> signature, ReadOnlySpan<byte> blockHash, ReadOnlySpan<byte> previousChainedHash) =>
        new(offset, signature.ToArray(), blockHash.ToArray(), previousChainedHash.IsEmpty ? NoChainedHash : previousChainedHash.ToArray());

    /// <summary>
    /// The previous chained hash as the chain computation needs it: empty for the first block (whatever the
    /// placeholder holds), the stored value otherwise.
    /// </summary>
    public ReadOnlySpan<byte> ChainInput => Offset == 0 ? [] : PreviousChainedHash;

    public string Format() =>
        string.Create(CultureInfo.InvariantCulture,
            $"{Offset:x16} {Convert.ToBase64String(Signature)} {Convert.ToBase64String(BlockHash)} {Convert.ToBase64String(PreviousChainedHash)}\n");

    /// <summary>Parses one line (without its LF). Returns null and a reason when it is malformed.</summary>
    public static SigsLine? TryParse(ReadOnlySpan<byte> line, out string? error)
    {
        error = null;
        if (line.Length != TextLength)
        {
            error = $"line is {line.Length} characters long, expected {TextLength}";
            return null;
        }
        if (line[16] != (byte)' ' || line[105] != (byte)' ' || line[194] != (byte)' ')
        {
            error = "columns are not separated by single spaces";
            return null;
        }
        var offsetText = line[..16];
        foreach (var c in offsetText)
        {
            if (c is not ((>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f')))
            {
                error = "offset is not 16 lower-case hex digits";
                return null;
            }
        }
        var offset = long.Parse(Encoding.ASCII.GetString(offsetText), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        if (offset < 0)
        {
            error = "offset is out of range";
            return null;
        }
        var sig = DecodeColumn(line.Slice(17, 88), SignatureSize);
        var hash = DecodeColumn(line.Slice(106, 88), HashSize);
        var prev = DecodeColumn(line.Slice(195, 88), HashSize);
        if (sig is null || hash is null || prev is null)
        {
            error = $"{(sig is null ? "signature" : hash is null ? "block hash" : "previous chained hash")} column is not base64 of {HashSize} bytes";
            return null;
        }
        return new SigsLine(offset, sig, hash, prev);
    }

    private static byte[]? DecodeColumn(ReadOnlySpan<byte> base64, int size)
    {
        var buffer = new byte[size + 2];
        if (Base64.DecodeFromUtf8(base64, buffer, out var consumed, out var written) != System.Buffers.OperationStatus.Done
            || consumed != base64.Length || written != size)
        {
            return null;
        }
        return buffer[..size];
    }

    public bool Equals(SigsLine? other) =>
        other is not null && Offset == other.Offset && Signature.AsSpan().SequenceEqual(other.Signature)
        && BlockHash.AsSpan().SequenceEqual(other.BlockHash) && PreviousChainedHash.AsSpan().SequenceEqual(other.PreviousChainedHash);

    public override int GetHashCode() => HashCode.Combine(Offset, Signature[0], BlockHash[0]);
}
