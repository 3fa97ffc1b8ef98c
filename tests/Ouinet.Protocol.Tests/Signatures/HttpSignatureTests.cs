using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Ouinet.Protocol.Headers;
using Ouinet.Protocol.Signatures;
using Ouinet.Protocol.Tests.Support;

namespace Ouinet.Protocol.Tests.Signatures;

public class HttpSignatureTests
{
    private const string KeyId = "ed25519=A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=";
    private const string Sig = "77WPISfbv3oE6nG0nz78tzNOJX6wbzsWwtzMB579HD5XdSz2W4mEBJvyH7R2nZHh64DH+MFPn0MwiljV1Uk8CA==";

    public static TheoryData<string> ManifestSignatures
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var v in Manifest.Root.GetProperty("vectors").EnumerateArray())
            {
                data.Add(v.String("x_ouinet_sig0"));
                data.Add(v.String("x_ouinet_sig1"));
                data.Add(v.GetProperty("spec_form").String("x_ouinet_sig0"));
                data.Add(v.GetProperty("spec_form").String("x_ouinet_sig1"));
                data.Add(v.GetProperty("complete_only").String("x_ouinet_sig1"));
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ManifestSignatures))]
    public void Every_manifest_signature_parses_and_formats_back_byte_for_byte(string value)
    {
        Assert.True(HttpSignature.TryParse(value, out var signature, out var error));

        Assert.Equal(HeaderParseError.None, error);
        Assert.Equal(value, signature.Format());
        Assert.Equal(KeyId, signature.KeyId);
        Assert.Equal("hs2019", signature.Algorithm);
        Assert.Equal(1584748800, signature.Created);
        Assert.Equal(64, signature.Signature.Length);
    }

    [Fact]
    public void Parse_accepts_the_spec_examples_whitespace_and_mixed_case_names()
    {
        var value = $"keyId=\"{KeyId}\",algorithm=\"hs2019\",created=1584748800, headers=\"(response-status) (created) x-Ouinet-version date\",signature=\"{Sig}\"";

        var signature = HttpSignature.Parse(value);

        Assert.Equal(["(response-status)", "(created)", "x-ouinet-version", "date"], signature.Headers);
        Assert.True(signature.Covers("X-Ouinet-Version"));
        Assert.False(signature.Covers("x-ouinet-uri"));
        Assert.Equal(
            $"keyId=\"{KeyId}\",algorithm=\"hs2019\",created=1584748800,headers=\"(response-status) (created) x-ouinet-version date\",signature=\"{Sig}\"",
            signature.Format());
    }

    [Theory]
    [InlineData($"keyId = \"{KeyId}\" , algorithm = \"hs2019\" , created = 7 , headers = \"date\" , signature = \"{Sig}\"")]
    [InlineData($"signature=\"{Sig}\",headers=\"date\",created=7,algorithm=\"hs2019\",keyId=\"{KeyId}\"")]
    [InlineData($"keyId={KeyId},algorithm=hs2019,created=\"7\",headers=\"date\",signature={Sig}")]
    [InlineData($"keyId=\"{KeyId}\",algorithm=\"hs2019\",created=7,expires=9,headers=\"date\",other=\"x\",signature=\"{Sig}\"")]
    [InlineData($"keyId=\"{KeyId}\",algorithm=\"hs2019\",created=7,headers=\"  date  \",signature=\"{Sig}\"")]
    public void Parse_tolerates_spacing_order_quoting_and_unknown_parameters(string value)
    {
        Assert.True(HttpSignature.TryParse(value, out var signature, out _));

        Assert.Equal(7, signature.Created);
        Assert.Equal(["date"], signature.Headers);
        Assert.Equal(Convert.FromBase64String(Sig), signature.Signature.ToArray());
    }

    [Fact]
    public void A_missing_headers_parameter_means_created_only()
    {
        var signature = HttpSignature.Parse($"keyId=\"{KeyId}\",algorithm=\"hs2019\",created=7,signature=\"{Sig}\"");

        Assert.Equal(["(created)"], signature.Headers);
    }

    [Theory]
    [InlineData("", HeaderParseError.Empty)]
    [InlineData("   ", HeaderParseError.Empty)]
    [InlineData($"keyId=\"{KeyId}\" algorithm=\"hs2019\"", HeaderParseError.MalformedParameter)]
    [InlineData($"keyId=\"{KeyId}\",,algorithm=\"hs2019\"", HeaderParseError.MalformedParameter)]
    [InlineData("=\"x\"", HeaderParseError.MalformedParameter)]
    [InlineData("keyId=", HeaderParseError.MalformedParameter)]
    [InlineData($"keyId=\"{KeyId}", HeaderParseError.UnterminatedQuotedString)]
    [InlineData($"keyId=\"{KeyId}\",algorithm=\"hs2019\",created=7,headers=\"date, server\",signature=\"{Sig}\"", HeaderParseError.CommaInQuotedString)]
    [InlineData($"keyId=\"{KeyId}\",algorithm=\"hs\\\"2019\",created=7,signature=\"{Sig}\"", HeaderParseError.InvalidQuotedString)]
    [InlineData($"keyId=\"{KeyId}\",keyId=\"{KeyId}\",algorithm=\"hs2019\",created=7,signature=\"{Sig}\"", HeaderParseError.DuplicateParameter)]
    [InlineData($"algorithm=\"hs2019\",created=7,signature=\"{Sig}\"", HeaderParseError.MissingKeyId)]
    [InlineData($"keyId=\"\",algorithm=\"hs2019\",created=7,signature=\"{Sig}\"", HeaderParseError.MissingKeyId)]
    [InlineData($"keyId=\"{KeyId}\",created=7,signature=\"{Sig}\"", HeaderParseError.MissingAlgorithm)]
    [InlineData($"keyId=\"ed25519=A6EH\u0017v\",algorithm=\"hs2019\",created=7,signature=\"{Sig}\"", HeaderParseError.InvalidKeyIdOrAlgorithm)] // found by fuzzing: used to throw
    [InlineData($"keyId=\"{KeyId}\",algorithm=hs\u00012019,created=7,signature=\"{Sig}\"", HeaderParseError.InvalidKeyIdOrAlgorithm)]
    [InlineData($"keyId=\"{KeyId}\",algorithm=\"hs2019\",signature=\"{Sig}\"", HeaderParseError.MissingCreated)]
    [InlineData($"keyId=\"{KeyId}\",algorithm=\"hs2019\",created=-7,signature=\"{Sig}\"", HeaderParseError.InvalidCreated)]
    [InlineData($"keyId=\"{KeyId}\",algorithm=\"hs2019\",created=1e9,signature=\"{Sig}\"", HeaderParseError.InvalidCreated)]
    [InlineData($"keyId=\"{KeyId}\",algorithm=\"hs2019\",created=7,headers=\"\",signature=\"{Sig}\"", HeaderParseError.InvalidHeaderList)]
    [InlineData($"keyId=\"{KeyId}\",algorithm=\"hs2019\",created=7,headers=\"date date\",signature=\"{Sig}\"", HeaderParseError.InvalidHeaderList)]
    [InlineData($"keyId=\"{KeyId}\",algorithm=\"hs2019\",created=7,headers=\"da/te\",signature=\"{Sig}\"", HeaderParseError.InvalidHeaderList)]
    [InlineData($"keyId=\"{KeyId}\",algorithm=\"hs2019\",created=7,headers=\"()\",signature=\"{Sig}\"", HeaderParseError.InvalidHeaderList)]
    [InlineData($"keyId=\"{KeyId}\",algorithm=\"hs2019\",created=7", HeaderParseError.MissingSignature)]
    [InlineData($"keyId=ed25519\\x,algorithm=\"hs2019\",created=7,signature=\"{Sig}\"", HeaderParseError.InvalidKeyIdOrAlgorithm)]
    [InlineData($"keyId=\"{KeyId}\",algorithm=hs\u00852019,created=7,signature=\"{Sig}\"", HeaderParseError.InvalidKeyIdOrAlgorithm)]
    [InlineData($"keyId=\"{KeyId}\",algorithm=\"hs2019\",created=7,signature=\"AAAA\"", HeaderParseError.InvalidSignature)]
    [InlineData($"keyId=\"{KeyId}\",algorithm=\"hs2019\",created=7,signature=\"77WPISfbv3oE6nG0nz78tzNOJX6wbzsWwtzMB579HD5XdSz2W4mEBJvyH7R2nZHh64DH+MFPn0MwiljV1Uk8CA\"", HeaderParseError.InvalidSignature)]
    [InlineData($"keyId=\"{KeyId}\",algorithm=\"hs2019\",created=7,signature=\"77WPISfbv3oE6nG0nz78tzNOJX6wbzsWwtzMB579HD5XdSz2W4mEBJvyH7R2nZHh64DH+MFPn0MwiljV1Uk8CA=!\"", HeaderParseError.InvalidSignature)]
    public void Parse_reports_why_a_signature_is_malformed(string value, HeaderParseError expected)
    {
        Assert.False(HttpSignature.TryParse(value, out var signature, out var error));

        Assert.Null(signature);
        Assert.Equal(expected, error);
        Assert.Throws<FormatException>(() => HttpSignature.Parse(value));
    }

    [Fact]
    public void Format_then_parse_gives_the_signature_back()
    {
        var names = Gen.Elements("date", "server", "content-type", "x-ouinet-uri", "(response-status)", "(created)", "etag", "vary")
            .ArrayOf()
            .Select(a => a.Distinct().ToArray())
            .Where(a => a.Length > 0);
        var signatures =
            from key in Headers.HeaderRoundTripProperties.Bytes32
            from created in Headers.HeaderRoundTripProperties.Timestamps
            from headers in names
            from sig in ArbMap.Default.GeneratorFor<byte>().ArrayOf(64)
            select new HttpSignature("ed25519=" + Convert.ToBase64String(key), "hs2019", created, headers, sig);

        Prop.ForAll(signatures.ToArbitrary(), s => HttpSignature.TryParse(s.Format(), out var parsed, out _) && parsed.Equals(s))
            .QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Constructor_refuses_malformed_parts_as_caller_bugs()
    {
        var sig = new byte[64];
        Assert.Throws<ArgumentException>(() => new HttpSignature("k\"", "hs2019", 1, ["date"], sig));
        Assert.Throws<ArgumentException>(() => new HttpSignature(KeyId, "hs2019", 1, ["Date"], sig));
        Assert.Throws<ArgumentException>(() => new HttpSignature(KeyId, "hs2019", 1, [], sig));
        Assert.Throws<ArgumentException>(() => new HttpSignature(KeyId, "hs2019", 1, ["date"], new byte[63]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HttpSignature(KeyId, "hs2019", -1, ["date"], sig));
    }

    [Fact]
    public void Upstream_signature_values_parse_and_format_back()
    {
        foreach (var property in VectorHeads.UpstreamVector().GetProperty("header_signatures").EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Object && property.Value.TryGetProperty("value", out var value))
            {
                Assert.Equal(value.GetString(), HttpSignature.Parse(value.GetString()!).Format());
            }
        }
    }
}
