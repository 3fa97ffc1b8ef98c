using Ouinet.Utp.Congestion;

namespace Ouinet.Utp.Tests.Congestion;

public class LedbatControllerTests
{
    private const int Packet = 1380;
    private static readonly CongestionControllerContext Context = new(Packet, 4 << 20, TimeSpan.FromMilliseconds(100));

    [Fact]
    public void SlowStart_DoublesPerWindow_WhileTheDelayIsLow()
    {
        var ledbat = new LedbatController(Context);
        var start = ledbat.Window;
        ledbat.OnAck(new CongestionAck(start, start, 1_000, WindowLimited: true));
        Assert.True(ledbat.Window >= 2 * start, $"{ledbat.Window} < 2 × {start}");
        Assert.True(ledbat.InSlowStart);
    }

    [Fact]
    public void AnApplicationLimitedSender_DoesNotGrowItsWindow()
    {
        var ledbat = new LedbatController(Context);
        var start = ledbat.Window;
        ledbat.OnAck(new CongestionAck(Packet, start, 0, WindowLimited: false));
        Assert.Equal(start, ledbat.Window);
    }

    [Fact]
    public void DelayAboveTarget_LeavesSlowStart_AndShrinksTheWindow()
    {
        var ledbat = new LedbatController(Context);
        for (var i = 0; i < 6; i++)
        {
            ledbat.OnAck(new CongestionAck(ledbat.Window, ledbat.Window, 0, true));
        }
        var grown = ledbat.Window;
        ledbat.OnAck(new CongestionAck(grown, grown, 200_000, true)); // twice the target: off_target = -1
        Assert.False(ledbat.InSlowStart);
        Assert.Equal(grown - LedbatController.GainBytesPerRtt, ledbat.Window);
    }

    [Fact]
    public void AfterSlowStart_TheWindowGrowsByAtMostTheGainPerRtt()
    {
        var ledbat = new LedbatController(Context);
        ledbat.OnLoss();
        var before = ledbat.Window;
        // One window's worth of ACKs at zero delay: + GainBytesPerRtt in total, whatever the ACK granularity.
        for (var i = 0; i < 10; i++)
        {
            ledbat.OnAck(new CongestionAck(before / 10, before, 0, true));
        }
        Assert.InRange(ledbat.Window, before + LedbatController.GainBytesPerRtt - 10, before + LedbatController.GainBytesPerRtt);
    }

    [Fact]
    public void Loss_HalvesTheWindow_Timeout_DropsItToOnePacket_NeverBelow()
    {
        var ledbat = new LedbatController(Context);
        for (var i = 0; i < 5; i++)
        {
            ledbat.OnAck(new CongestionAck(ledbat.Window, ledbat.Window, 0, true));
        }
        var grown = ledbat.Window;
        ledbat.OnLoss();
        Assert.Equal(grown / 2, ledbat.Window);
        for (var i = 0; i < 20; i++)
        {
            ledbat.OnLoss();
        }
        Assert.Equal(LedbatController.MinWindowPackets * Packet, ledbat.Window);
        ledbat.OnTimeout();
        Assert.Equal(Packet, ledbat.Window);
        Assert.True(ledbat.InSlowStart);
    }

    [Fact]
    public void TheWindow_NeverExceedsTheSendBuffer()
    {
        var ledbat = new LedbatController(Context with { MaxWindow = 64 * 1024 });
        for (var i = 0; i < 50; i++)
        {
            ledbat.OnAck(new CongestionAck(ledbat.Window, ledbat.Window, 0, true));
        }
        Assert.Equal(64 * 1024, ledbat.Window);
    }
}
