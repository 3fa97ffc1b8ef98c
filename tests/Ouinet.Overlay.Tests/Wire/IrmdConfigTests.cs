using Ouinet.Overlay.Configuration;

namespace Ouinet.Overlay.Tests.Wire;

public class IrmdConfigTests
{
    private const string Sample = """
        # a member of layer "uni" over a udp4 shim
        [name.oping]
        prog = ["oping"]
        lb = "spillover"

        [udp4.udp]
        bootstrap = "udp"
        ip = "127.0.0.1"
        port = 4001
        dir = ["uni.a=127.0.0.1:4000", "uni=127.0.0.1:4000"]
        reg = ["uni.b"]

        [unicast."uni.b"]
        enrol = "uni"
        conn = ["uni.a"]
        reg = ["oping"]
        ls_t_recalc = 0.5
        congestion = "mb-ecn"
        rate = "100M"
        """;

    [Fact]
    public void The_irmd_conf_vocabulary_reads_into_names_and_ipcps()
    {
        var config = IrmdConfig.Parse(Sample, "test.conf");
        var name = Assert.Single(config.Names);
        Assert.Equal(("oping", LoadBalance.Spillover), (name.Name, name.LoadBalance));
        Assert.Equal(["oping"], name.Programs);
        var udp = config.Ipcps[0];
        Assert.Equal((IpcpType.Udp4, "udp", 4001), (udp.Type, udp.Name, udp.Endpoint!.Port));
        Assert.Equal(4000, udp.Directory["uni.a"].Port);
        var uni = config.Ipcps[1];
        Assert.Equal((IpcpType.Unicast, "uni.b", "uni"), (uni.Type, uni.Name, uni.Enrol));
        Assert.Equal(["uni.a"], uni.Connect);
        Assert.Equal(500u, uni.Layer.RecalcMilliseconds);
        Assert.Equal(100_000_000, uni.RateLimit);
    }

    [Theory]
    [InlineData("[udp4.u]\nbootstrap = udp\n", "strings need quotes")]
    [InlineData("[udp4.u]\nbootstrap = \"u\"\nport = 70000\n", "port: expected an integer")]
    [InlineData("[eth-dix.e]\nbootstrap = \"e\"\n", "not implemented")]
    [InlineData("[unicast.x]\nconn = [\"a\"]\n", "exactly one of bootstrap")]
    [InlineData("[unicast.x]\nbootstrap = \"l\"\nfoo = 1\n", "unknown option \"foo\"")]
    [InlineData("[unicast.x\n", "expected ']'")]
    [InlineData("[unicast.x]\nbootstrap = \"l\"\nrouting = \"ecmp\"\n", "only link_state")]
    public void Errors_name_the_file_line_and_what_is_wrong(string text, string expected)
    {
        var e = Assert.Throws<IrmdConfigException>(() => IrmdConfig.Parse(text, "bad.conf"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains("bad.conf", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hosts_file_maps_names_and_MD5_hashes_to_endpoints()
    {
        var entries = HostsFile.Parse("127.0.0.1:4000 uni.a uni # the first member\n127.0.0.2 0123456789abcdef0123456789abcdef\n", "hosts").ToList();
        Assert.Equal(3, entries.Count);
        Assert.Equal(3435, entries[2].EndPoint.Port);
    }
}
