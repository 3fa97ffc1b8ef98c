using Ouinet.Http;
using Ouinet.Protocol.Blocks;

namespace Ouinet.Protocol.Tests.Blocks;

public class OuinetChunkExtensionsTests
{
    private const string Sig0 = "UB1zSFdynfi8TnQziLLwkTxN81/mkrzYqW50UaiKsx/KViRlByDtr8dhB4Cny/REjNLItQQGo2TARHOkoQ1JDg==";

    [Fact]
    public void Create_then_read_gives_the_bytes_back()
    {
        var signature = Convert.FromBase64String(Sig0);

        var extension = OuinetChunkExtensions.Create(OuinetChunkExtensions.BlockSignature, signature);

        Assert.Equal(new ChunkExtension("ouisig", Sig0), extension);
        Assert.Equal(ChunkExtensionError.None, OuinetChunkExtensions.Read([extension], "ouisig", out var read));
        Assert.Equal(signature, read);
    }

    [Fact]
    public void Read_finds_each_extension_on_a_range_line_and_reports_an_absent_one_as_null()
    {
        ChunkExtension[] line = [new("ouipsig", Sig0), new("ouihash", Sig0), new("other", null)];

        Assert.Equal(ChunkExtensionError.None, OuinetChunkExtensions.Read(line, "ouipsig", out var psig));
        Assert.Equal(ChunkExtensionError.None, OuinetChunkExtensions.Read(line, "ouihash", out var hash));
        Assert.Equal(ChunkExtensionError.None, OuinetChunkExtensions.Read(line, "ouisig", out var sig));
        Assert.NotNull(psig);
        Assert.NotNull(hash);
        Assert.Null(sig);
    }

    [Theory]
    [InlineData(null, ChunkExtensionError.MissingValue)]
    [InlineData("", ChunkExtensionError.InvalidValue)]
    [InlineData("AAAA", ChunkExtensionError.InvalidValue)]
    [InlineData("UB1zSFdynfi8TnQziLLwkTxN81/mkrzYqW50UaiKsx/KViRlByDtr8dhB4Cny/REjNLItQQGo2TARHOkoQ1JDg", ChunkExtensionError.InvalidValue)]
    [InlineData("UB1zSFdynfi8TnQziLLwkTxN81/mkrzYqW50UaiKsx/KViRlByDtr8dhB4Cny/REjNLItQQGo2TARHOkoQ1JDh==", ChunkExtensionError.InvalidValue)]
    [InlineData("UB1zSFdynfi8TnQziLLwkTxN81_mkrzYqW50UaiKsx/KViRlByDtr8dhB4Cny/REjNLItQQGo2TARHOkoQ1JDg==", ChunkExtensionError.InvalidValue)]
    [InlineData("\"UB1zSFdynfi8TnQziLLwkTxN81/mkrzYqW50UaiKsx/KViRlByDtr8dhB4Cny/REjNLItQQGo2TARHOkoQ1JDg==\"", ChunkExtensionError.InvalidValue)]
    public void Read_reports_a_malformed_value(string? value, ChunkExtensionError expected)
    {
        Assert.Equal(expected, OuinetChunkExtensions.Read([new ChunkExtension("ouisig", value)], "ouisig", out var read));
        Assert.Null(read);
    }

    [Fact]
    public void Read_reports_a_repeated_extension()
    {
        Assert.Equal(ChunkExtensionError.Duplicate, OuinetChunkExtensions.Read([new("ouisig", Sig0), new("ouisig", Sig0)], "ouisig", out _));
    }

    [Fact]
    public void Create_refuses_a_value_that_is_not_64_bytes()
    {
        Assert.Throws<ArgumentException>(() => OuinetChunkExtensions.Create("ouisig", new byte[32]));
    }
}
