using Ouinet.Cache.Storage;

namespace Ouinet.Cache.Tests.Storage;

public sealed class SigsFileTests : IDisposable
{
    private readonly TempDirectory _temp = new("sigs");

    public static TheoryData<string> VectorNames => ["hello", "big", "empty", "redirect", "aligned"];

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void EveryVectorSigsFile_ParsesAndFormatsBackByteForByte(string name)
    {
        var path = TestPaths.Vector("vectors", name, "sigs");
        Assert.True(SigsFile.TryRead(path, 100, out var lines, out var error), error);
        Assert.NotEmpty(lines);
        Assert.Equal(0, lines[0].Offset);
        Assert.All(lines[0].PreviousChainedHash, b => Assert.Equal(0, b));
        Assert.True(lines[0].ChainInput.IsEmpty, "block 0 chains from the empty string, not from the NUL placeholder");
        Assert.Equal(File.ReadAllText(path), string.Concat(lines.Select(l => l.Format())));
    }

    [Fact]
    public void BigVector_HasOneLinePerBlockAtBlockOffsets()
    {
        Assert.True(SigsFile.TryRead(TestPaths.Vector("vectors", "big", "sigs"), 100, out var lines, out _));
        Assert.Equal([0L, 65536, 131072, 196608], lines.Select(l => l.Offset));
    }

    [Fact]
    public void TooManyLines_IsRejectedWithTheCount()
    {
        Assert.False(SigsFile.TryRead(TestPaths.Vector("vectors", "big", "sigs"), 3, out _, out var error));
        Assert.Contains("4 lines", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, (byte)'g', "offset")]
    [InlineData(16, (byte)'\t', "single spaces")]
    [InlineData(20, (byte)'*', "signature column")]
    [InlineData(110, (byte)'*', "block hash column")]
    [InlineData(200, (byte)'*', "previous chained hash column")]
    [InlineData(283, (byte)'\r', "does not end in LF")]
    public void CorruptedLine_IsRejectedWithLineNumberAndReason(int position, byte value, string reason)
    {
        var bytes = File.ReadAllBytes(TestPaths.Vector("vectors", "big", "sigs"));
        bytes[SigsLine.LineLength + position] = value;
        var path = WriteTemp(bytes);
        Assert.False(SigsFile.TryRead(path, 100, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.Contains("line 2", error, StringComparison.Ordinal);
    }

    [Fact]
    public void PartialLastLine_IsRejected()
    {
        var bytes = File.ReadAllBytes(TestPaths.Vector("vectors", "big", "sigs"));
        var path = WriteTemp(bytes[..^10]);
        Assert.False(SigsFile.TryRead(path, 100, out _, out var error));
        Assert.Contains("whole number", error, StringComparison.Ordinal);
    }

    private string WriteTemp(byte[] bytes)
    {
        var path = _temp.Combine("sigs");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose() => _temp.Dispose();
}
