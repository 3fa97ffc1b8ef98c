using Ouinet.Protocol.Headers;

namespace Ouinet.Protocol.Tests.Headers;

public class InjectionHeaderTests
{
    [Fact]
    public void Format_writes_the_spec_example()
    {
        Assert.Equal("id=qwertyuiop-12345,ts=1584748800", new InjectionHeader("qwertyuiop-12345", 1584748800).Format());
    }

    [Theory]
    [InlineData("id=qwertyuiop-12345,ts=1584748800")]
    [InlineData("id=qwertyuiop-12345, ts=1584748800")]
    [InlineData(" ts=1584748800 ,id=qwertyuiop-12345 ")]
    [InlineData("id=\"qwertyuiop-12345\",ts=\"1584748800\"")]
    [InlineData("id=qwertyuiop-12345,ts=1584748800,future=1")]
    public void Parse_accepts_the_spec_form_and_tolerable_variants(string value)
    {
        Assert.True(InjectionHeader.TryParse(value, out var header, out var error));

        Assert.Equal(HeaderParseError.None, error);
        Assert.Equal(new InjectionHeader("qwertyuiop-12345", 1584748800), header);
    }

    [Theory]
    [InlineData("", HeaderParseError.Empty)]
    [InlineData("ts=1", HeaderParseError.MissingId)]
    [InlineData("id=abc", HeaderParseError.MissingTimestamp)]
    [InlineData("id=a.b,ts=1", HeaderParseError.InvalidId)]
    [InlineData("id=\"\",ts=1", HeaderParseError.InvalidId)]
    [InlineData("id=abc,ts=-1", HeaderParseError.InvalidTimestamp)]
    [InlineData("id=abc,ts=1.5", HeaderParseError.InvalidTimestamp)]
    [InlineData("id=abc,ts=99999999999999999999", HeaderParseError.InvalidTimestamp)]
    [InlineData("id=abc,id=def,ts=1", HeaderParseError.DuplicateParameter)]
    [InlineData("id=abc ts=1", HeaderParseError.MalformedParameter)]
    [InlineData("id=abc,ts=1,", HeaderParseError.MalformedParameter)]
    [InlineData("id=abc,,ts=1", HeaderParseError.MalformedParameter)]
    [InlineData("id,ts=1", HeaderParseError.MalformedParameter)]
    public void Parse_reports_why_a_value_is_malformed(string value, HeaderParseError expected)
    {
        Assert.False(InjectionHeader.TryParse(value, out var header, out var error));

        Assert.Null(header);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void New_ids_are_lower_case_uuids_and_unique()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1584748800);

        var a = InjectionHeader.New(now);
        var b = InjectionHeader.New(now);

        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", a.Id);
        Assert.NotEqual(a.Id, b.Id);
        Assert.Equal(1584748800, a.Timestamp);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a b")]
    [InlineData("é")]
    [InlineData("a,b")]
    public void Constructor_refuses_an_invalid_id_as_a_caller_bug(string id)
    {
        Assert.Throws<ArgumentException>(() => new InjectionHeader(id, 0));
    }
}
