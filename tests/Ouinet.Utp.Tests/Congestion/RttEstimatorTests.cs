using Ouinet.Utp.Congestion;

namespace Ouinet.Utp.Tests.Congestion;

public class RttEstimatorTests
{
    [Fact]
    public void BeforeAnySample_TheTimeoutIsOneSecond()
    {
        var rtt = new RttEstimator(500_000, 60_000_000);
        Assert.Equal(1_000_000, rtt.TimeoutMicros);
    }

    [Fact]
    public void Samples_FollowBep29_AndTheTimeoutHasAFloor()
    {
        var rtt = new RttEstimator(500_000, 60_000_000);
        rtt.AddSample(100_000);
        Assert.Equal(100_000, rtt.SmoothedMicros);
        rtt.AddSample(180_000);
        Assert.Equal(110_000, rtt.SmoothedMicros); // rtt += (sample - rtt) / 8
        Assert.Equal(500_000, rtt.TimeoutMicros);   // rtt + 4 var is below the 500 ms floor
        rtt.AddSample(2_000_000);
        Assert.True(rtt.TimeoutMicros > 500_000);
    }

    [Fact]
    public void BackOff_DoublesTheTimeout_UpToTheCap_AndResets()
    {
        var rtt = new RttEstimator(500_000, 4_000_000);
        rtt.AddSample(10_000);
        rtt.BackOff();
        Assert.Equal(1_000_000, rtt.TimeoutMicros);
        rtt.BackOff();
        rtt.BackOff();
        rtt.BackOff();
        Assert.Equal(4_000_000, rtt.TimeoutMicros);
        rtt.ResetBackOff();
        Assert.Equal(500_000, rtt.TimeoutMicros);
    }
}
