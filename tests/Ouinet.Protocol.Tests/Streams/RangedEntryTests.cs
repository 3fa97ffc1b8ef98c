using System.Security.Cryptography;
using Ouinet.Protocol.Keys;
using Ouinet.Protocol.Streams;
using Ouinet.Protocol.Tests.Support;
using Ouinet.Testing;

namespace Ouinet.Protocol.Tests.Streams;

public class RangedEntryTests
{
    private static readonly InjectorPublicKey Trusted = TestKeys.Trusted().PublicKey;

    private static async Task<Ouinet.Http.HttpResponseHead> RangeHeadAsync(CancellationToken cancellationToken)
    {
        var outcome = await StreamHarness.VerifyAsync(File.ReadAllBytes(TestPaths.Vector("vectors", "hello", "range-6-11.http")), Trusted, cancellationToken);
        Assert.True(outcome.Succeeded, outcome.ToString());
        return outcome.Head!;
    }

    [Fact(Timeout = 10_000)]
    public async Task The_whole_body_behind_a_verified_range_gives_the_head_to_store()
    {
        var body = File.ReadAllBytes(TestPaths.Vector("vectors", "hello", "body.bin"));

        var head = RangedEntry.CompleteHead(await RangeHeadAsync(TestContext.Current.CancellationToken), Trusted, body.Length, SHA256.HashData(body));

        Assert.Equal(200, head.StatusCode);
        Assert.Null(head.Fields.Get("Content-Range"));
        Assert.Null(head.Fields.Get(OuinetHeaders.HttpStatus));
        Assert.NotNull(head.Fields.Get(OuinetHeaders.Sig1));
        Assert.NotNull(head.Fields.Get(OuinetHeaders.BlockSignatures));
        Assert.Equal("12", head.Fields.Get(OuinetHeaders.DataSize));
    }

    [Theory(Timeout = 10_000)]
    [InlineData(false, OuinetVerificationError.Digest)]
    [InlineData(true, OuinetVerificationError.DataSize)]
    public async Task A_body_that_is_not_the_signed_one_is_refused(bool shorter, OuinetVerificationError expected)
    {
        var body = File.ReadAllBytes(TestPaths.Vector("vectors", "hello", "body.bin"));
        body[3] ^= 1;
        var length = shorter ? body.Length - 1 : body.Length;
        var head = await RangeHeadAsync(TestContext.Current.CancellationToken);

        var error = Assert.Throws<OuinetVerificationException>(() => RangedEntry.CompleteHead(head, Trusted, length, SHA256.HashData(body.AsSpan(0, length))));

        Assert.Equal(expected, error.Error);
    }
}
