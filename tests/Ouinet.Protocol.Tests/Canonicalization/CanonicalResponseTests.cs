using Ouinet.Http;
using Ouinet.Protocol.Canonicalization;
using Ouinet.Protocol.Tests.Support;

namespace Ouinet.Protocol.Tests.Canonicalization;

public class CanonicalResponseTests
{
    [Fact]
    public void Request_specific_and_framing_fields_are_dropped_and_the_rest_keep_origin_order()
    {
        var origin = VectorHeads.Head("hello", "origin_response");

        var canonical = CanonicalResponse.Create(origin);

        Assert.Equal(200, canonical.StatusCode);
        Assert.Equal("OK", canonical.Reason);
        Assert.Equal(["Date", "Content-Type"], canonical.Fields.Select(f => f.Name));
    }

    [Fact]
    public void Repeated_fields_are_grouped_at_the_first_ones_place()
    {
        var origin = HeadText.ParseResponse(VectorHeads.Upstream("origin-head.txt"));

        var canonical = CanonicalResponse.Create(origin);

        Assert.Equal(
            ["Date: Mon, 15 Jan 2018 20:31:50 GMT", "Server: Apache1", "Server: Apache2", "Content-Type: text/html"],
            canonical.Fields.Select(f => f.ToString()));
    }

    [Fact]
    public void The_origin_digest_and_ouinet_fields_are_dropped()
    {
        var origin = new HttpResponseHead(200);
        origin.Fields.Add("Digest", "SHA-256=x");
        origin.Fields.Add("X-Ouinet-Sig0", "forged");
        origin.Fields.Add("Content-Length", "3");
        origin.Fields.Add("Transfer-Encoding", "chunked");
        origin.Fields.Add("ETag", "\"e\"");

        Assert.Equal(["ETag"], CanonicalResponse.Create(origin).Fields.Select(f => f.Name));
    }

    [Theory]
    [InlineData("Server")]
    [InlineData("cache-control")]
    [InlineData("ACCESS-CONTROL-EXPOSE-HEADERS")]
    [InlineData("Vary")]
    [InlineData("Location")]
    public void Allow_listed_fields_are_kept_in_any_case(string name) => Assert.True(CanonicalResponse.IsAllowed(name));

    [Theory]
    [InlineData("Set-Cookie")]
    [InlineData("Connection")]
    [InlineData("Content-Length")]
    [InlineData("Digest")]
    [InlineData("Content-Disposition")]
    [InlineData("Strict-Transport-Security")]
    public void Other_fields_are_dropped(string name) => Assert.False(CanonicalResponse.IsAllowed(name));
}
