using System.Text;
using Ouinet.Cache.Storage;

namespace Ouinet.Cache.Tests.Storage;

public sealed class HeadFileTests
{
    public static TheoryData<string> StoredHeads => new(
        from name in new[] { "hello", "big", "empty", "redirect", "aligned" }
        select Path.Combine("vectors", name, "stored-head.http"));

    [Theory]
    [MemberData(nameof(StoredHeads))]
    [InlineData("vectors/hello/stored-head-spec-form.http")]
    public void EveryVectorStoredHead_ParsesAndFormatsBackByteForByte(string file)
    {
        var bytes = File.ReadAllBytes(TestPaths.Vector(file));
        var head = HeadFile.TryParse(bytes, out var error);
        Assert.True(head is not null, error);
        Assert.Equal(bytes, HeadFile.Format(head));
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nA: b\r\n", "incomplete")]
    [InlineData("HTTP/1.1 200 OK\r\nA: b\r\n\r\nX", "1 bytes follow")]
    [InlineData("HTTP/1.0 200 OK\r\nA: b\r\n\r\n", "not HTTP/1.1")]
    [InlineData("HTTP/1.1 200 OK\nA: b\n\n", "malformed")]
    [InlineData("HTTP/1.1 2OO OK\r\n\r\n", "malformed")]
    public void MalformedHeadFile_IsRejectedWithReason(string text, string reason)
    {
        Assert.Null(HeadFile.TryParse(Encoding.ASCII.GetBytes(text), out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryTruncationOfAStoredHead_IsRejected()
    {
        var bytes = File.ReadAllBytes(TestPaths.Vector("vectors", "hello", "stored-head.http"));
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Null(HeadFile.TryParse(bytes.AsMemory(0, length), out _));
        }
    }
}
