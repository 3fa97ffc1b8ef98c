using System.Text;
using Ouinet.Protocol.Signatures;
using Ouinet.Protocol.Tests.Support;

namespace Ouinet.Protocol.Tests.Signatures;

public class SigningStringTests
{
    [Theory]
    [MemberData(nameof(Manifest.VectorNames), MemberType = typeof(Manifest))]
    public void Sig0_signing_string_of_the_injector_head_matches_the_vector_file(string vector)
    {
        var head = VectorHeads.Head(vector, "injector_head");

        var names = HeadSigner.CoveredNames(head.Fields);
        var signingString = SigningString.Build(head.StatusCode, VectorHeads.Ts, head.Fields, names);

        Assert.Equal(Manifest.Vector(vector).String("signed_headers_sig0"), string.Join(' ', names));
        Assert.Equal(Manifest.File(vector, "signing_string_sig0"), SigningString.ToBytes(signingString));
    }

    [Theory]
    [MemberData(nameof(Manifest.VectorNames), MemberType = typeof(Manifest))]
    public void Sig1_signing_string_of_head_and_trailer_matches_the_vector_file(string vector)
    {
        var head = VectorHeads.Head(vector, "injector_stream");
        var fields = VectorHeads.HeadAndTrailer(vector);

        var names = HeadSigner.CoveredNames(fields);
        var signingString = SigningString.Build(head.StatusCode, VectorHeads.Ts, fields, names);

        Assert.Equal(Manifest.Vector(vector).String("signed_headers_sig1"), string.Join(' ', names));
        Assert.Equal(Manifest.File(vector, "signing_string_sig1"), SigningString.ToBytes(signingString));
    }

    [Fact]
    public void Spec_form_signing_strings_follow_the_listed_header_order()
    {
        var specForm = Manifest.Vector("hello").GetProperty("spec_form");
        var fields = VectorHeads.HeadAndTrailer("hello", "injector_stream_spec_form");

        var sig0 = SigningString.Build(200, VectorHeads.Ts, fields, VectorHeads.Names(specForm, "signed_headers_sig0"));
        var sig1 = SigningString.Build(200, VectorHeads.Ts, fields, VectorHeads.Names(specForm, "signed_headers_sig1"));

        Assert.Equal(Manifest.File("hello", "signing_string_sig0_spec_form"), SigningString.ToBytes(sig0));
        Assert.Equal(Manifest.File("hello", "signing_string_sig1_spec_form"), SigningString.ToBytes(sig1));
    }

    [Fact]
    public void The_spec_example_string_is_reproduced()
    {
        var fields = HeadText.Fields(
            "X-Ouinet-Version: 6",
            "X-Ouinet-URI: https://example.com/hello",
            "X-Ouinet-Injection: id=qwertyuiop-12345,ts=1584748800",
            "Date: Sat, 21 Mar 2020 00:00:00 GMT",
            "Content-Type: text/plain",
            "Digest: SHA-256=wFNeS+K3n/2TKRMFQ2v4iTFOSj+uwF7P/Lt98xrZ5Ro=",
            "X-Ouinet-Data-Size: 12");
        string[] names =
        [
            "(response-status)", "(created)", "x-ouinet-version", "x-ouinet-uri", "x-ouinet-injection", "date",
            "content-type", "digest", "x-ouinet-data-size",
        ];

        var s = SigningString.Build(200, 1584748800, fields, names);

        Assert.Equal(
            "(response-status): 200\n(created): 1584748800\nx-ouinet-version: 6\nx-ouinet-uri: https://example.com/hello\n"
            + "x-ouinet-injection: id=qwertyuiop-12345,ts=1584748800\ndate: Sat, 21 Mar 2020 00:00:00 GMT\n"
            + "content-type: text/plain\ndigest: SHA-256=wFNeS+K3n/2TKRMFQ2v4iTFOSj+uwF7P/Lt98xrZ5Ro=\nx-ouinet-data-size: 12",
            s);
    }

    [Fact]
    public void Repeated_fields_give_one_line_with_trimmed_values_joined_by_comma_space()
    {
        var fields = new Http.HttpFields();
        fields.Add("Cache-Control", " public ");
        fields.Add("X-Other", "1");
        fields.Add("cache-control", "max-age=3600\t");
        fields.Add("Empty", string.Empty);

        var s = SigningString.Build(200, 5, fields, ["cache-control", "Empty"]);

        Assert.Equal("cache-control: public, max-age=3600\nempty: ", s);
    }

    [Theory]
    [InlineData("x-absent")]
    [InlineData("(request-target)")]
    [InlineData("(expires)")]
    public void A_listed_name_that_cannot_be_resolved_fails_naming_it(string name)
    {
        var fields = HeadText.Fields("Date: x");

        Assert.False(SigningString.TryBuild(200, 5, fields, ["(created)", name, "date"], out var s, out var missing));

        Assert.Null(s);
        Assert.Equal(name, missing);
        Assert.Throws<ArgumentException>(() => SigningString.Build(200, 5, fields, [name]));
    }

    [Fact]
    public void Obs_text_bytes_are_signed_as_the_wire_bytes()
    {
        var fields = new Http.HttpFields();
        fields.Add("X-Latin", "caf\u00e9");

        var bytes = SigningString.ToBytes(SigningString.Build(200, 5, fields, ["x-latin"]));

        Assert.Equal(Encoding.ASCII.GetBytes("x-latin: caf").Append((byte)0xe9), bytes);
    }

    [Fact]
    public void Upstream_signing_strings_are_reproduced()
    {
        var vector = VectorHeads.UpstreamVector().GetProperty("header_signatures");
        var signedHead = HeadText.ParseResponse(VectorHeads.Upstream("signed-head.txt"));
        var readerHead = HeadText.ParseResponse(VectorHeads.Upstream("signed-stream-signingreader.bin"));

        foreach (var (name, head, created) in new[]
        {
            ("sig0", signedHead, 1516048310L),
            ("sig1", signedHead, 1516048311L),
            ("sig0_signingreader", readerHead, 1516048310L),
        })
        {
            var expected = vector.GetProperty(name);
            var headers = HttpSignature.Parse(expected.String("value")).Headers;
            var s = SigningString.Build(200, created, head.Fields, headers);
            Assert.Equal(expected.String("signing_string"), s);
        }
    }
}
