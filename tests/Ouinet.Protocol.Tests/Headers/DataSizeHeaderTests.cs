using Ouinet.Protocol.Headers;

namespace Ouinet.Protocol.Tests.Headers;

public class DataSizeHeaderTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("12", 12)]
    [InlineData("204800", 204800)]
    public void Parse_reads_decimal_sizes(string value, long expected)
    {
        Assert.True(DataSizeHeader.TryParse(value, out var size));
        Assert.Equal(expected, size);
        Assert.Equal(value, DataSizeHeader.Format(size));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" 12")]
    [InlineData("+12")]
    [InlineData("-1")]
    [InlineData("0x10")]
    [InlineData("99999999999999999999")]
    public void Parse_refuses_anything_but_plain_digits(string? value)
    {
        Assert.False(DataSizeHeader.TryParse(value, out _));
    }
}
