namespace Ouinet.Protocol.Tests;

public class OuinetHeadersTests
{
    [Theory]
    [InlineData("X-Ouinet-Sig0", true)]
    [InlineData("x-ouinet-sig1", true)]
    [InlineData("X-Ouinet-Sig17", true)]
    [InlineData("X-Ouinet-Sig", false)]
    [InlineData("X-Ouinet-Signal", false)]
    [InlineData("X-Ouinet-BSigs", false)]
    public void IsSignatureField_matches_numbered_signature_fields_only(string name, bool expected)
    {
        Assert.Equal(expected, OuinetHeaders.IsSignatureField(name));
    }

    [Fact]
    public void Names_and_the_injector_trailer_are_spelled_as_on_the_wire()
    {
        Assert.Equal("X-Ouinet-Sig1", OuinetHeaders.Signature(1));
        Assert.Equal("X-Ouinet-Data-Size, Digest, X-Ouinet-Sig1", OuinetHeaders.InjectorTrailer);
        Assert.True(OuinetHeaders.IsOuinetField("x-ouinet-uri"));
        Assert.False(OuinetHeaders.IsOuinetField("X-Ouine"));
    }
}
