using System.Globalization;
using System.Text;
using Ouinet.Dht.Tests.Support;

namespace Ouinet.Dht.Tests.Cli;

/// <summary>
/// <c>ouinet dht</c> as separate processes (tier 3), as the testbed uses it: among themselves, and with libtorrent
/// on either side of an announce. Every process listens on 127.0.0.1 and is stopped by the test.
/// </summary>
public class DhtCommandTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static string Swarm(string name) => InfoHash.Of(Encoding.UTF8.GetBytes(name + Guid.NewGuid())).ToString();

    [Fact(Timeout = 90000)]
    public async Task Announce_ThenGetPeers_FindsTheAnnouncer()
    {
        var ct = TestContext.Current.CancellationToken;
        var swarm = Swarm("cli");
        int servePort = JsonLineProcess.FreePort(), announcePort = JsonLineProcess.FreePort(), seekPort = JsonLineProcess.FreePort();
        await using var serve = JsonLineProcess.Ouinet("serve", "dht", "serve", "--listen", $"127.0.0.1:{Port(servePort)}", "--timeout", "60");
        var listening = await serve.WaitForEventAsync("listening", Wait, ct);
        Assert.True(listening.GetProperty("loopback_only").GetBoolean());

        await using var announce = JsonLineProcess.Ouinet("announce", "dht", "announce", swarm, "--listen", $"127.0.0.1:{Port(announcePort)}",
            "--bootstrap", $"127.0.0.1:{Port(servePort)}", "--timeout", "60");
        var announced = await announce.WaitForEventAsync("announced", Wait, ct);
        Assert.True(announced.GetProperty("accepted").GetInt32() >= 1, announce.Transcript);
        await serve.WaitForEventAsync("announce_received", Wait, ct, e => e.GetProperty("peer").GetString() == $"127.0.0.1:{Port(announcePort)}");

        await using var seek = JsonLineProcess.Ouinet("get-peers", "dht", "get-peers", swarm, "--listen", $"127.0.0.1:{Port(seekPort)}",
            "--bootstrap", $"127.0.0.1:{Port(servePort)}", "--timeout", "20");
        var peer = await seek.WaitForAsync(e => e.TryGetProperty("peer", out _), Wait, ct);
        Assert.Equal($"127.0.0.1:{Port(announcePort)}", peer.GetProperty("peer").GetString());
        Assert.Equal(0, await seek.WaitForExitAsync(Wait, ct));
    }

    [Fact(Timeout = 60000)]
    public async Task GetPeers_ExitsOne_WhenNobodyAnnouncedBeforeTheTimeout()
    {
        var ct = TestContext.Current.CancellationToken;
        int servePort = JsonLineProcess.FreePort(), seekPort = JsonLineProcess.FreePort();
        await using var serve = JsonLineProcess.Ouinet("serve", "dht", "serve", "--listen", $"127.0.0.1:{Port(servePort)}", "--timeout", "30");
        await serve.WaitForEventAsync("listening", Wait, ct);
        await using var seek = JsonLineProcess.Ouinet("get-peers", "dht", "get-peers", Swarm("nobody"), "--listen", $"127.0.0.1:{Port(seekPort)}",
            "--bootstrap", $"127.0.0.1:{Port(servePort)}", "--timeout", "3");
        Assert.Equal(1, await seek.WaitForExitAsync(Wait, ct));
        Assert.DoesNotContain("\"peer\"", seek.Transcript, StringComparison.Ordinal);
    }

    [Fact(Timeout = 90000)]
    public async Task OuinetAnnounces_LibtorrentFindsIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var swarm = Swarm("ouinet to libtorrent");
        int routerPort = JsonLineProcess.FreePort(), announcePort = JsonLineProcess.FreePort(), seekPort = JsonLineProcess.FreePort();
        await using var router = JsonLineProcess.Libtorrent("libtorrent router", "serve", "--port", Port(routerPort), "--timeout", "60");
        await router.WaitForEventAsync("ready", Wait, ct);
        await using var announce = JsonLineProcess.Ouinet("ouinet announce", "dht", "announce", swarm, "--listen", $"127.0.0.1:{Port(announcePort)}",
            "--bootstrap", $"127.0.0.1:{Port(routerPort)}", "--timeout", "60");
        await announce.WaitForEventAsync("announced", Wait, ct, e => e.GetProperty("accepted").GetInt32() >= 1);

        await using var seek = JsonLineProcess.Libtorrent("libtorrent get-peers", "get-peers", swarm, "--port", Port(seekPort),
            "--node", $"127.0.0.1:{Port(routerPort)}", "--expect", "1", "--timeout", "30");
        var peer = await seek.WaitForEventAsync("peer", Wait, ct);
        Assert.Equal(announcePort, peer.GetProperty("port").GetInt32());
        Assert.Equal(0, await seek.WaitForExitAsync(Wait, ct));
    }

    [Fact(Timeout = 90000)]
    public async Task LibtorrentAnnounces_OuinetFindsIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var swarm = Swarm("libtorrent to ouinet");
        int routerPort = JsonLineProcess.FreePort(), announcePort = JsonLineProcess.FreePort(), seekPort = JsonLineProcess.FreePort();
        await using var router = JsonLineProcess.Libtorrent("libtorrent router", "serve", "--port", Port(routerPort), "--timeout", "60");
        await router.WaitForEventAsync("ready", Wait, ct);
        await using var announce = JsonLineProcess.Libtorrent("libtorrent announce", "announce", swarm, "--port", Port(announcePort),
            "--node", $"127.0.0.1:{Port(routerPort)}", "--timeout", "60");
        await announce.WaitForEventAsync("announce_acked", Wait, ct);

        await using var seek = JsonLineProcess.Ouinet("ouinet get-peers", "dht", "get-peers", swarm, "--listen", $"127.0.0.1:{Port(seekPort)}",
            "--bootstrap", $"127.0.0.1:{Port(routerPort)}", "--timeout", "20");
        var peer = await seek.WaitForAsync(e => e.TryGetProperty("peer", out _), Wait, ct);
        Assert.Equal($"127.0.0.1:{Port(announcePort)}", peer.GetProperty("peer").GetString());
        Assert.Equal(0, await seek.WaitForExitAsync(Wait, ct));
    }

    [Fact(Timeout = 30000)]
    public async Task BadArguments_AreRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bad = JsonLineProcess.Ouinet("bad", "dht", "get-peers", "xyz", "--listen", "127.0.0.1:0");
        Assert.Equal(1, await bad.WaitForExitAsync(Wait, ct));
    }
}
