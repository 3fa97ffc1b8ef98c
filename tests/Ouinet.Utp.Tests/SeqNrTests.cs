namespace Ouinet.Utp.Tests;

public class SeqNrTests
{
    [Theory]
    [InlineData(1, 2, true)]
    [InlineData(2, 1, false)]
    [InlineData(65535, 0, true)]
    [InlineData(0, 65535, false)]
    [InlineData(65000, 200, true)]
    [InlineData(5, 5, false)]
    public void Less_ComparesAcrossTheWrap(int a, int b, bool expected) => Assert.Equal(expected, SeqNr.Less((ushort)a, (ushort)b));

    [Fact]
    public void Distance_AndAdd_Wrap()
    {
        Assert.Equal(2, SeqNr.Distance(65535, 1));
        Assert.Equal((ushort)1, SeqNr.Add(65535, 2));
        Assert.Equal((ushort)65535, SeqNr.Add(0, -1));
    }
}
