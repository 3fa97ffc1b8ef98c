namespace Ouinet.Protocol.Tests;

public class ProtocolVersionTests
{
    [Fact]
    public void We_speak_protocol_6_and_write_it_as_a_bare_number()
    {
        Assert.Equal(6, ProtocolVersion.Current.Value);
        Assert.Equal("6", ProtocolVersion.Current.ToString());
        Assert.True(ProtocolVersion.V7 > ProtocolVersion.Current);
    }

    [Theory]
    [InlineData("6", 6)]
    [InlineData("7", 7)]
    [InlineData("06", 6)]
    public void TryParse_reads_digits(string text, int expected)
    {
        Assert.True(ProtocolVersion.TryParse(text, out var version));
        Assert.Equal(expected, version.Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" 6")]
    [InlineData("+6")]
    [InlineData("-6")]
    [InlineData("6.0")]
    [InlineData("99999999999")]
    public void TryParse_refuses_anything_but_digits(string text)
    {
        Assert.False(ProtocolVersion.TryParse(text, out _));
    }
}
