using Ouinet.Http;
using Ouinet.Protocol.Keys;
using Ouinet.Protocol.Signatures;
using Ouinet.Protocol.Tests.Support;

namespace Ouinet.Protocol.Tests.Signatures;

public class HeadSignerTests
{
    private static readonly InjectorPublicKey Trusted = TestKeys.Trusted().PublicKey;

    [Theory]
    [MemberData(nameof(Manifest.VectorNames), MemberType = typeof(Manifest))]
    public void SignHead_over_the_injector_head_reproduces_Sig0(string vector)
    {
        using var key = TestKeys.Trusted();
        var head = VectorHeads.Head(vector, "injector_head");

        var sig0 = HeadSigner.SignHead(key, head, VectorHeads.Ts);

        Assert.Equal(Manifest.Vector(vector).String("x_ouinet_sig0"), sig0.Format());
        Assert.Equal(head.Fields.Get("X-Ouinet-Sig0"), sig0.Format());
    }

    [Theory]
    [MemberData(nameof(Manifest.VectorNames), MemberType = typeof(Manifest))]
    public void SignFull_over_head_and_trailer_reproduces_Sig1(string vector)
    {
        using var key = TestKeys.Trusted();
        var head = VectorHeads.Head(vector, "injector_stream");
        var trailer = VectorHeads.Trailer(vector, "injector_stream");
        trailer.Remove("X-Ouinet-Sig1");

        var sig1 = HeadSigner.SignFull(key, head, trailer, VectorHeads.Ts);

        Assert.Equal(Manifest.Vector(vector).String("x_ouinet_sig1"), sig1.Format());
    }

    [Theory]
    [MemberData(nameof(Manifest.VectorNames), MemberType = typeof(Manifest))]
    public void Spec_form_signatures_are_reproduced_from_their_header_lists(string vector)
    {
        using var key = TestKeys.Trusted();
        var specForm = Manifest.Vector(vector).GetProperty("spec_form");
        var fields = VectorHeads.HeadAndTrailer(vector);

        var sig0 = HeadSigner.Sign(key, Manifest.Vector(vector).GetProperty("status").GetInt32(), VectorHeads.Ts, fields, VectorHeads.Names(specForm, "signed_headers_sig0"));
        var sig1 = HeadSigner.Sign(key, Manifest.Vector(vector).GetProperty("status").GetInt32(), VectorHeads.Ts, fields, VectorHeads.Names(specForm, "signed_headers_sig1"));

        Assert.Equal(specForm.String("x_ouinet_sig0"), sig0.Format());
        Assert.Equal(specForm.String("x_ouinet_sig1"), sig1.Format());
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("empty")]
    [InlineData("redirect")]
    [InlineData("aligned")]
    public void Complete_only_Sig1_is_reproduced_from_the_content_length_response(string vector)
    {
        using var key = TestKeys.Trusted();
        var head = VectorHeads.Head(vector, "full_content_length");
        var expected = Manifest.Vector(vector).GetProperty("complete_only");

        var sig1 = HeadSigner.SignHead(key, head, VectorHeads.Ts);

        Assert.Equal(expected.String("signed_headers_sig1"), string.Join(' ', sig1.Headers));
        Assert.Equal(expected.String("x_ouinet_sig1"), sig1.Format());
    }

    [Theory]
    [MemberData(nameof(Manifest.VectorNames), MemberType = typeof(Manifest))]
    public void Every_vector_signature_verifies_with_the_trusted_key(string vector)
    {
        var head = VectorHeads.Head(vector, "injector_stream");
        var trailer = VectorHeads.Trailer(vector, "injector_stream");
        var stored = VectorHeads.Head(vector, "stored_head");

        Assert.Equal(HeadVerificationResult.Valid, HeadSigner.Verify(HttpSignature.Parse(head.Fields.Get("X-Ouinet-Sig0")!), Trusted, head));
        Assert.Equal(HeadVerificationResult.Valid, HeadSigner.Verify(HttpSignature.Parse(trailer.Get("X-Ouinet-Sig1")!), Trusted, head, trailer));
        Assert.Equal(HeadVerificationResult.Valid, HeadSigner.Verify(HttpSignature.Parse(stored.Fields.Get("X-Ouinet-Sig1")!), Trusted, stored));
    }

    [Theory]
    [MemberData(nameof(Manifest.VectorNames), MemberType = typeof(Manifest))]
    public void Vector_signatures_cover_what_a_verifier_requires(string vector)
    {
        var manifest = Manifest.Vector(vector);
        var sig0 = HttpSignature.Parse(manifest.String("x_ouinet_sig0"));
        var sig1 = HttpSignature.Parse(manifest.String("x_ouinet_sig1"));

        Assert.All(HeadSigner.RequiredHeadCoverage, name => Assert.True(sig0.Covers(name), name));
        Assert.All(HeadSigner.RequiredFullCoverage, name => Assert.True(sig1.Covers(name), name));
        Assert.False(sig0.Covers("digest"));
    }

    [Theory]
    [InlineData("Date")]
    [InlineData("Content-Type")]
    [InlineData("X-Ouinet-URI")]
    [InlineData("X-Ouinet-BSigs")]
    public void A_changed_covered_field_is_a_bad_signature(string field)
    {
        var head = VectorHeads.Head("hello", "injector_head");
        var sig0 = HttpSignature.Parse(head.Fields.Get("X-Ouinet-Sig0")!);
        head.Fields.Set(field, head.Fields.Get(field) + "x");

        Assert.Equal(HeadVerificationResult.BadSignature, HeadSigner.Verify(sig0, Trusted, head));
    }

    [Fact]
    public void Uncovered_and_framing_fields_do_not_affect_verification()
    {
        var head = VectorHeads.Head("hello", "injector_head");
        var sig0 = HttpSignature.Parse(head.Fields.Get("X-Ouinet-Sig0")!);
        head.Fields.Add("Connection", "close");
        head.Fields.Add("Content-Length", "99");
        head.Fields.Set("Transfer-Encoding", "identity");

        Assert.Equal(HeadVerificationResult.Valid, HeadSigner.Verify(sig0, Trusted, head));
    }

    [Fact]
    public void A_covered_field_missing_from_the_head_is_reported_as_missing()
    {
        var head = VectorHeads.Head("hello", "injector_head");
        var sig0 = HttpSignature.Parse(head.Fields.Get("X-Ouinet-Sig0")!);
        head.Fields.Remove("Date");

        var result = HeadSigner.Verify(sig0, Trusted, head);

        Assert.Equal(HeadVerificationResult.MissingCoveredHeader, result);
        Assert.Equal(OuinetVerificationError.Coverage, result.ToVerificationError(isFullSignature: false));
    }

    [Fact]
    public void Another_key_is_untrusted_and_an_unknown_algorithm_is_refused()
    {
        using var other = TestKeys.Other();
        var head = VectorHeads.Head("hello", "injector_head");
        var sig0 = HttpSignature.Parse(head.Fields.Get("X-Ouinet-Sig0")!);
        var otherAlgorithm = new HttpSignature(sig0.KeyId, "rsa-sha256", sig0.Created, sig0.Headers, sig0.Signature);

        Assert.Equal(HeadVerificationResult.UntrustedKeyId, HeadSigner.Verify(sig0, other.PublicKey, head));
        Assert.Equal(HeadVerificationResult.UnsupportedAlgorithm, HeadSigner.Verify(otherAlgorithm, Trusted, head));
    }

    [Fact]
    public void A_206_is_verified_over_the_original_status_from_X_Ouinet_HTTP_Status()
    {
        var head = VectorHeads.Head("hello", "range_6_11_spec_form");
        var range = HeadText.ParseResponse(File.ReadAllBytes(TestPaths.Vector("vectors", "hello", "range-6-11.http")));
        var sig1 = HttpSignature.Parse(range.Fields.Get("X-Ouinet-Sig1")!);

        Assert.Equal(206, range.StatusCode);
        Assert.True(HeadSigner.TryGetSignedStatus(range, out var status));
        Assert.Equal(200, status);
        Assert.Equal(HeadVerificationResult.Valid, HeadSigner.Verify(sig1, Trusted, range));
        Assert.Equal(HeadVerificationResult.BadSignature, HeadSigner.Verify(sig1, Trusted, 206, range.Fields));
        Assert.Equal(HeadVerificationResult.Valid, HeadSigner.Verify(HttpSignature.Parse(head.Fields.Get("X-Ouinet-Sig0")!), Trusted, head));
    }

    [Theory]
    [InlineData(206, "2x0", false, 206)]
    [InlineData(206, "20", false, 206)]
    [InlineData(206, "099", false, 206)]
    [InlineData(206, " 301 ", true, 301)]
    [InlineData(200, "302", true, 200)]
    [InlineData(200, "bogus", true, 200)]
    public void X_Ouinet_HTTP_Status_is_honoured_only_in_a_206(int statusCode, string original, bool ok, int expected)
    {
        var head = new HttpResponseHead(statusCode);
        head.Fields.Add("X-Ouinet-HTTP-Status", original);

        Assert.Equal(ok, HeadSigner.TryGetSignedStatus(head, out var status));
        Assert.Equal(expected, status);
        if (!ok)
        {
            var sig = new HttpSignature(Trusted.KeyId, "hs2019", 1, ["(response-status)"], new byte[64]);
            Assert.Equal(HeadVerificationResult.MalformedOriginalStatus, HeadSigner.Verify(sig, Trusted, head));
        }
    }

    [Theory]
    [InlineData("neg-tampered-header.http", "X-Ouinet-Sig0", OuinetVerificationError.HeadSignature)]
    [InlineData("neg-added-signed-header-duplicate.http", "X-Ouinet-Sig0", OuinetVerificationError.HeadSignature)]
    [InlineData("neg-untrusted-keyid.http", "X-Ouinet-Sig0", OuinetVerificationError.KeyId)]
    [InlineData("neg-wrong-key-claims-trusted-keyid.http", "X-Ouinet-Sig0", OuinetVerificationError.HeadSignature)]
    [InlineData("neg-range-wrong-http-status.http", "X-Ouinet-Sig1", OuinetVerificationError.FullSignature)]
    public void Negative_vectors_fail_their_head_signature_for_the_stated_reason(string file, string field, OuinetVerificationError expected)
    {
        var head = HeadText.ParseResponse(File.ReadAllBytes(TestPaths.Vector("negative", file)));
        var signature = HttpSignature.Parse(head.Fields.Get(field)!);

        var result = HeadSigner.Verify(signature, Trusted, head);

        Assert.Equal(expected, result.ToVerificationError(isFullSignature: field == "X-Ouinet-Sig1"));
    }

    [Fact]
    public void A_tampered_data_size_trailer_fails_the_full_signature()
    {
        var message = File.ReadAllBytes(TestPaths.Vector("negative", "neg-tampered-data-size-trailer.http"));
        var head = HeadText.ParseResponse(message);
        var trailer = HeadText.ParseTrailer(message);

        var result = HeadSigner.Verify(HttpSignature.Parse(trailer.Get("X-Ouinet-Sig1")!), Trusted, head, trailer);

        Assert.Equal(OuinetVerificationError.FullSignature, result.ToVerificationError(isFullSignature: true));
        Assert.Equal(HeadVerificationResult.Valid, HeadSigner.Verify(HttpSignature.Parse(head.Fields.Get("X-Ouinet-Sig0")!), Trusted, head));
    }

    [Fact]
    public void CoveredNames_skips_framing_and_signatures_and_lists_each_name_once()
    {
        var fields = HeadText.Fields(
            "Date: d", "Content-Length: 1", "Server: a", "transfer-encoding: chunked", "X-Ouinet-Sig0: s", "server: b",
            "Trailer: t", "X-Ouinet-Sig12: s", "X-Ouinet-Signal: kept");

        Assert.Equal(["(response-status)", "(created)", "date", "server", "x-ouinet-signal"], HeadSigner.CoveredNames(fields));
    }

    [Fact]
    public void Upstream_signing_reader_signatures_are_reproduced_with_Sig1_created_one_second_later()
    {
        var upstream = VectorHeads.UpstreamVector();
        using var key = InjectorPrivateKey.FromSeed(Convert.FromBase64String(upstream.GetProperty("key").String("seed_b64")));
        var stream = VectorHeads.Upstream("signed-stream-signingreader.bin");
        var head = HeadText.ParseResponse(stream);
        var trailer = HeadText.ParseTrailer(stream);
        trailer.Remove("X-Ouinet-Sig1");
        var expected = upstream.GetProperty("header_signatures");

        Assert.Equal(expected.GetProperty("sig0_signingreader").String("value"), HeadSigner.SignHead(key, head, 1516048310).Format());
        Assert.Equal(expected.GetProperty("sig1_signingreader").String("value"), HeadSigner.SignFull(key, head, trailer, 1516048311).Format());
    }

    [Fact]
    public void Upstream_sign_test_signatures_are_reproduced_over_the_uncanonicalized_head()
    {
        var upstream = VectorHeads.UpstreamVector();
        using var key = InjectorPrivateKey.FromSeed(Convert.FromBase64String(upstream.GetProperty("key").String("seed_b64")));
        var signedHead = HeadText.ParseResponse(VectorHeads.Upstream("signed-head.txt"));
        var entry = signedHead.Clone();
        entry.Fields.Remove("X-Ouinet-Data-Size");
        entry.Fields.Remove("Digest");
        entry.Fields.Remove("X-Ouinet-Sig1");
        var expected = upstream.GetProperty("header_signatures");

        Assert.Equal(expected.GetProperty("sig0").String("value"), HeadSigner.SignHead(key, entry, 1516048310).Format());
        Assert.Equal(expected.GetProperty("sig1").String("value"), HeadSigner.Sign(key, 200, 1516048311, signedHead.Fields).Format());
    }
}
