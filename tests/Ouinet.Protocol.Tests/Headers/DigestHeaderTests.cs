using System.Text;
using Ouinet.Protocol.Headers;
using Ouinet.Protocol.Tests.Support;

namespace Ouinet.Protocol.Tests.Headers;

public class DigestHeaderTests
{
    private const string HelloDigest = "SHA-256=wFNeS+K3n/2TKRMFQ2v4iTFOSj+uwF7P/Lt98xrZ5Ro=";

    [Fact]
    public void The_spec_example_body_gives_the_spec_digest()
    {
        Assert.Equal(HelloDigest, DigestHeader.Compute("Hello world!"u8).Format());
    }

    [Theory]
    [MemberData(nameof(Manifest.VectorNames), MemberType = typeof(Manifest))]
    public void Every_vector_body_gives_the_manifest_digest(string vector)
    {
        Assert.Equal(Manifest.Vector(vector).String("digest"), DigestHeader.Compute(Manifest.File(vector, "body")).Format());
    }

    [Theory]
    [InlineData(HelloDigest)]
    [InlineData("sha-256=wFNeS+K3n/2TKRMFQ2v4iTFOSj+uwF7P/Lt98xrZ5Ro=")]
    [InlineData("MD5=HUXZLQLMuI/KZ5KDcJPcOA==, SHA-256=wFNeS+K3n/2TKRMFQ2v4iTFOSj+uwF7P/Lt98xrZ5Ro=")]
    [InlineData("SHA-256=wFNeS+K3n/2TKRMFQ2v4iTFOSj+uwF7P/Lt98xrZ5Ro=,SHA-512=abc")]
    public void Parse_finds_sha256_among_other_algorithms(string value)
    {
        Assert.True(DigestHeader.TryParse(value, out var digest, out var error));

        Assert.Equal(HeaderParseError.None, error);
        Assert.Equal(DigestHeader.Compute(Encoding.ASCII.GetBytes("Hello world!")), digest);
    }

    [Theory]
    [InlineData("", HeaderParseError.Empty)]
    [InlineData("MD5=HUXZLQLMuI/KZ5KDcJPcOA==", HeaderParseError.MissingSha256)]
    [InlineData("SHA-256=wFNeS+K3n/2TKRMFQ2v4iTFOSj+uwF7P/Lt98xrZ5Ro", HeaderParseError.InvalidSha256)]
    [InlineData("SHA-256=wFNeS+K3n/2TKRMFQ2v4iTFOSj+uwF7P/Lt98xrZ5Rp=", HeaderParseError.InvalidSha256)]
    [InlineData("SHA-256=AAAA", HeaderParseError.InvalidSha256)]
    [InlineData("SHA-256=" + "wFNeS+K3n/2TKRMFQ2v4iTFOSj+uwF7P/Lt98xrZ5Ro=,sha-256=wFNeS+K3n/2TKRMFQ2v4iTFOSj+uwF7P/Lt98xrZ5Ro=", HeaderParseError.DuplicateParameter)]
    [InlineData("SHA-256", HeaderParseError.MalformedParameter)]
    public void Parse_reports_why_a_value_is_malformed(string value, HeaderParseError expected)
    {
        Assert.False(DigestHeader.TryParse(value, out _, out var error));

        Assert.Equal(expected, error);
    }
}
