using FsCheck;
using FsCheck.Fluent;
using Ouinet.Protocol.Headers;

namespace Ouinet.Protocol.Tests.Headers;

public class HeaderRoundTripProperties
{
    internal static readonly Gen<string> Ids =
        Gen.Elements("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_".ToCharArray())
            .ArrayOf()
            .Where(a => a.Length > 0)
            .Select(a => new string(a));

    internal static readonly Gen<long> Timestamps = ArbMap.Default.GeneratorFor<long>().Select(l => l == long.MinValue ? 0 : Math.Abs(l));

    internal static readonly Gen<byte[]> Bytes32 = ArbMap.Default.GeneratorFor<byte>().ArrayOf(32);

    [Fact]
    public void Injection_header_format_then_parse_gives_it_back()
    {
        var headers = Ids.SelectMany(id => Timestamps.Select(ts => new InjectionHeader(id, ts)));

        Prop.ForAll(headers.ToArbitrary(), h => InjectionHeader.TryParse(h.Format(), out var parsed, out _) && parsed == h)
            .QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Block_signatures_header_format_then_parse_gives_it_back()
    {
        var headers =
            from key in Bytes32
            from size in Gen.Choose(1, BlockSignaturesHeader.MaxBlockSize)
            select new BlockSignaturesHeader("ed25519=" + Convert.ToBase64String(key), "hs2019", size);

        Prop.ForAll(headers.ToArbitrary(), h => BlockSignaturesHeader.TryParse(h.Format(), out var parsed, out _) && parsed == h)
            .QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Digest_header_format_then_parse_gives_it_back()
    {
        Prop.ForAll(Bytes32.ToArbitrary(), sha =>
            {
                var digest = DigestHeader.FromSha256(sha);
                return DigestHeader.TryParse(digest.Format(), out var parsed, out _) && parsed.Equals(digest);
            })
            .QuickCheckThrowOnFailure();
    }
}
