using Ouinet.Protocol.Streams;

namespace Ouinet.Protocol.Tests.Streams;

public class RangeRequestTests
{
    [Theory]
    [InlineData("bytes=6-11", 12, 5, "bytes 5-11/12")]
    [InlineData("bytes=0-0", 12, 5, "bytes 0-4/12")]
    [InlineData("bytes=11-", 12, 5, "bytes 10-11/12")]
    [InlineData("bytes=-1", 12, 5, "bytes 10-11/12")]
    [InlineData("bytes=-100", 12, 5, "bytes 0-11/12")]
    [InlineData("bytes=3-1000", 12, 5, "bytes 0-11/12")]
    [InlineData("bytes=5-9", 12, 5, "bytes 5-9/12")]
    [InlineData("bytes=1-2, 7-8", 12, 5, "bytes 0-9/12")]
    [InlineData("bytes=7-8,100-200", 12, 5, "bytes 5-9/12")]
    [InlineData("BYTES = 1-1", 12, 5, null)]
    public void A_requested_range_widens_to_whole_blocks(string header, long dataSize, int blockSize, string? contentRange)
    {
        var outcome = RangeRequest.Resolve(header, dataSize, blockSize, out var range);

        if (contentRange is null)
        {
            Assert.Equal(RangeRequestOutcome.Full, outcome);
            return;
        }
        Assert.Equal(RangeRequestOutcome.Partial, outcome);
        Assert.Equal(contentRange, range.ContentRange);
    }

    [Theory]
    [InlineData("bytes=12-")]
    [InlineData("bytes=12-20")]
    [InlineData("bytes=-0")]
    [InlineData("bytes=100-200, 50-60")]
    public void A_range_with_no_existing_byte_is_unsatisfiable(string header)
    {
        Assert.Equal(RangeRequestOutcome.NotSatisfiable, RangeRequest.Resolve(header, 12, 5, out _));
        Assert.Equal("bytes */12", RangeRequest.UnsatisfiableContentRange(12));
    }

    [Fact]
    public void Any_range_of_an_empty_body_is_unsatisfiable()
    {
        Assert.Equal(RangeRequestOutcome.NotSatisfiable, RangeRequest.Resolve("bytes=0-", 0, 5, out _));
        Assert.Equal(RangeRequestOutcome.NotSatisfiable, RangeRequest.Resolve("bytes=-5", 0, 5, out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("items=0-1")]
    [InlineData("bytes=5-2")]
    [InlineData("bytes=a-b")]
    [InlineData("bytes=1")]
    [InlineData("bytes=+1-2")]
    public void No_usable_range_means_the_whole_entry(string? header)
    {
        Assert.Equal(RangeRequestOutcome.Full, RangeRequest.Resolve(header, 12, 5, out _));
    }

    [Theory]
    [InlineData("bytes 5-11/12", 5, true)]
    [InlineData("bytes 0-9/12", 5, true)]
    [InlineData("bytes 0-11/12", 5, true)]
    [InlineData("bytes 6-11/12", 5, false)]
    [InlineData("bytes 5-10/12", 5, false)]
    [InlineData("bytes 5-12/12", 5, false)]
    [InlineData("bytes 5-4/12", 5, false)]
    [InlineData("bytes */12", 5, false)]
    [InlineData("bytes 5-11/*", 5, false)]
    [InlineData("items 5-11/12", 5, false)]
    [InlineData("bytes 5 -11/12", 5, false)]
    public void A_206_content_range_must_be_block_aligned(string value, int blockSize, bool valid)
    {
        Assert.Equal(valid, BlockRange.TryParseContentRange(value, blockSize, out var error, out _));
        Assert.Equal(valid, error is null);
    }
}
