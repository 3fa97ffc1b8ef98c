using Ouinet.Utp.Congestion;

namespace Ouinet.Utp.Tests.Congestion;

public class DelayHistoryTests
{
    private const long Minute = 60_000_000;

    [Fact]
    public void TheBase_IsTheSmallestSample_AndDelaysAreMeasuredFromIt()
    {
        var history = new DelayHistory();
        Assert.Equal(0u, history.AddSample(50_000, 0));
        Assert.Equal(10_000u, history.AddSample(60_000, 1));
        Assert.Equal(0u, history.AddSample(40_000, 2));
        Assert.Equal(20_000u, history.AddSample(60_000, 3));
    }

    [Fact]
    public void Samples_AcrossThe32BitWrap_CompareCorrectly()
    {
        // The two clocks are unrelated: the raw difference can sit just below 2^32 and wrap.
        var history = new DelayHistory();
        history.AddSample(0xFFFF_FF00, 0);
        Assert.Equal(0x200u, history.AddSample(0x0000_0100, 1));
        Assert.Equal(0xFFFF_FF00, history.Base);
    }

    [Fact]
    public void AnOldBase_IsForgotten_AfterTheHistoryWindow()
    {
        // Clock drift makes samples creep upwards; a minimum from long ago must not pin the base.
        var history = new DelayHistory();
        history.AddSample(10_000, 0);
        for (var minute = 1; minute <= DelayHistory.BaseHistoryMinutes + 1; minute++)
        {
            history.AddSample(30_000, minute * Minute);
        }
        Assert.Equal(30_000u, history.Base);
    }

    [Fact]
    public void AdjustBase_RaisesTheBase()
    {
        var history = new DelayHistory();
        history.AddSample(10_000, 0);
        history.AdjustBase(500);
        Assert.Equal(10_500u, history.Base);
        Assert.Equal(500u, history.AddSample(11_000, 1));
    }
}
