using System.Diagnostics;
using Ouinet.Http;
using Ouinet.Injector.Tests.Support;
using Ouinet.Protocol.Streams;
using Ouinet.Testing.Origins;

namespace Ouinet.Injector.Tests;

/// <summary>Tests that measure the process's memory run alone.</summary>
[CollectionDefinition(nameof(MemorySensitive), DisableParallelization = true)]
public sealed class MemorySensitive;

[Collection(nameof(MemorySensitive))]
public sealed class LargeBodyTests(OriginFixture fixture)
{
    private const long Size = 1L << 30;

    [Fact(Timeout = 180_000)]
    public async Task A_1_GiB_body_is_injected_and_verified_as_a_stream_with_flat_memory()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var injector = await InjectorHarness.StartAsync(fixture, TestContext.Current.CancellationToken);
        var uri = fixture.Origin.HttpUrl($"/bytes/{Size}");
        await using var client = await injector.ConnectAsync();
        await client.SendAsync(RawClient.Injection(uri));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var peak = baseline;
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var baselineRss = process.WorkingSet64;
        var peakRss = baselineRss;

        var head = await client.Reader.ReadResponseHeadAsync(ct);
        using var reader = await SignedResponseReader.OpenAsync(head, client.Reader.ReadResponseBody(head, "GET"), injector.PublicKey, null, ct);
        long total = 0, blocks = 0;
        while (await reader.ReadBlockAsync(ct) is { } block)
        {
            if (!PatternBody.Matches(block.Data.Span, total))
            {
                Assert.Fail($"block at {total} differs");
            }
            total += block.Data.Length;
            if (++blocks % 1024 == 0)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(false));
                process.Refresh();
                peakRss = Math.Max(peakRss, process.WorkingSet64);
            }
        }
        Assert.Equal(Size, total);
        Assert.True(reader.IsVerified);
        TestContext.Current.TestOutputHelper?.WriteLine($"managed heap: baseline {baseline >> 20} MiB, peak {peak >> 20} MiB; RSS: baseline {baselineRss >> 20} MiB, peak {peakRss >> 20} MiB");
        // Body bytes are never held: the heap may grow by garbage between collections, never by the body (1 GiB).
        Assert.True(peak - baseline < 128L << 20, $"managed heap grew by {(peak - baseline) >> 20} MiB");
        Assert.True(peakRss - baselineRss < 256L << 20, $"RSS grew by {(peakRss - baselineRss) >> 20} MiB");
    }
}
