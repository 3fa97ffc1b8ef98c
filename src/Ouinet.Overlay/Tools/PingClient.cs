using System.Diagnostics;

namespace Ouinet.Overlay.Tools;

/// <summary>oping's options: <c>-c count -i interval(ms) -s size -q qos -d duration -f (flood)</c>, and a per-reply timeout.</summary>
public sealed record PingOptions
{
    public int Count { get; init; } = 1000;

    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    public int Size { get; init; } = 64;

    public QosSpec Qos { get; init; } = QosSpec.Raw;

    public TimeSpan? Duration { get; init; }

    /// <summary><c>-f</c>: send the next ping as soon as the previous reply is in.</summary>
    public bool Flood { get; init; }

    /// <summary>How long to wait for the last replies.</summary>
    public TimeSpan Wait { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary><c>-q</c>uiet: only the summary.</summary>
    public bool Quiet { get; init; }

    /// <summary>Gets the flow's statistics (srtt, rto, retransmissions) before it is deallocated.</summary>
    public Action<FlowStatistics>? OnFlowStatistics { get; init; }
}

/// <summary>oping's client: pings a name over a flow and prints what oping prints.</summary>
public static class PingClient
{
    public static async Task<PingStatistics> RunAsync(OverlayNode node, string name, PingOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var stats = new PingStatistics(name, options.Size);
        await using var flow = await node.AllocAsync(name, options.Qos, cancellationToken).ConfigureAwait(false);
        flow.LingerTimeout = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        await output.WriteAsync(stats.Header(options.Count)).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var replies = NodeIndependentReadAsync(flow, stats, clock, options, output, stop.Token);
        var deadline = options.Duration is { } d ? clock.Elapsed + d : TimeSpan.MaxValue;
        for (uint id = 0; id < options.Count && clock.Elapsed < deadline && !cancellationToken.IsCancellationRequested; id++)
        {
            var before = stats.Received;
            await flow.WriteAsync(PingMessage.Create(id, clock.Elapsed, options.Size), cancellationToken).ConfigureAwait(false);
            stats.Transmitted++;
            if (options.Flood)
            {
                var waited = Stopwatch.StartNew();
                while (stats.Received == before && waited.Elapsed < options.Wait && !replies.IsCompleted)
                {
                    await Task.Yield();
                }
            }
            else if (id + 1 < options.Count)
            {
                await Task.Delay(options.Interval, cancellationToken).ConfigureAwait(false);
            }
        }
        var end = Stopwatch.StartNew();
        while (stats.Received < stats.Transmitted && end.Elapsed < options.Wait && !replies.IsCompleted)
        {
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
        await stop.CancelAsync().ConfigureAwait(false);
        await replies.ConfigureAwait(false);
        await output.WriteAsync(stats.Summary(clock.Elapsed)).ConfigureAwait(false);
        options.OnFlowStatistics?.Invoke(flow.GetStatistics());
        return stats;
    }

    private static async Task NodeIndependentReadAsync(Flow flow, PingStatistics stats, Stopwatch clock, PingOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var m = await flow.ReadMessageAsync(cancellationToken).ConfigureAwait(false);
                if (PingMessage.TryRead(m, out var type, out var id, out var sent) && type == PingMessage.EchoReply)
                {
                    var line = stats.OnReply(id, (clock.Elapsed - sent).TotalMilliseconds);
                    if (line is not null && !options.Quiet)
                    {
                        await output.WriteLineAsync(line).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or FlowException)
        {
        }
    }
}
