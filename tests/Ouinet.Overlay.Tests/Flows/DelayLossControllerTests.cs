namespace Ouinet.Overlay.Tests.Flows;

/// <summary>The delay/loss controller of shim-only reliable flows (our deviation).</summary>
public class DelayLossControllerTests
{
    [Fact]
    public void The_first_loss_halves_the_window_instead_of_overflowing_on_the_time_since_no_decrease()
    {
        // It used to compute now - TimeSpan.MinValue and throw OverflowException (seen in the process tests' logs).
        var cc = new DelayLossController();
        var window = cc.Window;
        cc.OnLoss(TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(10));
        Assert.Equal(window / 2, cc.Window);
    }

    [Fact]
    public void The_first_rtt_above_the_target_shrinks_the_window()
    {
        var cc = new DelayLossController();
        cc.OnAck(1, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(1));
        var window = cc.Window;
        cc.OnAck(1, TimeSpan.FromMilliseconds(40), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(1));
        Assert.True(cc.Window < window, $"{cc.Window} < {window}");
    }
}
