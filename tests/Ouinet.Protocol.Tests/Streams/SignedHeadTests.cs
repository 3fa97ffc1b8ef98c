using System.IO.Pipelines;
using Ouinet.Http;
using Ouinet.Protocol.Streams;
using Ouinet.Protocol.Tests.Support;
using static Ouinet.Protocol.Tests.Streams.StreamHarness;

namespace Ouinet.Protocol.Tests.Streams;

/// <summary>A bodiless signed response (an injector's answer to HEAD) is verified from its head alone.</summary>
public sealed class SignedHeadTests
{
    private static async Task<HttpResponseHead> SignedHeadAsync(CancellationToken cancellationToken)
    {
        using var key = TestKeys.Trusted();
        var options = VectorOptions("hello") with { RequestMethod = "HEAD" };
        var output = new MemoryStream();
        var writer = PipeWriter.Create(output);
        await ResponseSigner.SignAsync(VectorHeads.Head("hello", "origin_response"), new MemoryStream(), key, options, writer, cancellationToken);
        await writer.CompleteAsync();
        await using var reader = HttpMessageReader.Create(new MemoryStream(output.ToArray()));
        return await reader.ReadResponseHeadAsync(cancellationToken);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_signed_HEAD_answer_verifies_and_keeps_only_covered_fields_without_framing()
    {
        var head = await SignedHeadAsync(TestContext.Current.CancellationToken);
        head.Fields.Add("Set-Cookie", "slipped=in");
        using var key = TestKeys.Trusted();
        var verified = SignedHead.Verify(head, key.PublicKey, new SignedResponseOptions { ExpectedUri = head.Fields.Get(OuinetHeaders.Uri) });
        Assert.Equal(head.StatusCode, verified.StatusCode);
        Assert.NotNull(verified.Fields.Get(OuinetHeaders.Injection));
        Assert.Null(verified.Fields.Get("Set-Cookie"));
        Assert.Null(verified.Fields.Get("Transfer-Encoding"));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_changed_covered_field_another_uri_or_no_signature_fails()
    {
        using var key = TestKeys.Trusted();
        var head = await SignedHeadAsync(TestContext.Current.CancellationToken);
        var changed = head.Clone();
        changed.Fields.Set(OuinetHeaders.Injection, "id=forged,ts=1");
        Assert.Equal(OuinetVerificationError.HeadSignature, Assert.Throws<OuinetVerificationException>(() => SignedHead.Verify(changed, key.PublicKey)).Error);
        Assert.Equal(OuinetVerificationError.UriMismatch, Assert.Throws<OuinetVerificationException>(() => SignedHead.Verify(head, key.PublicKey, new SignedResponseOptions { ExpectedUri = "https://other.example/" })).Error);
        var unsigned = new HttpResponseHead(502);
        unsigned.Fields.Add(OuinetHeaders.Error, "3 Resource retrieval failed");
        Assert.Equal(OuinetVerificationError.Unsigned, Assert.Throws<OuinetVerificationException>(() => SignedHead.Verify(unsigned, key.PublicKey)).Error);
    }
}
