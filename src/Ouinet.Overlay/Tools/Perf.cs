using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;

namespace Ouinet.Overlay.Tools;

/// <summary>operf/ocbr's options: <c>-d duration -s size -r rate (bit/s, 0: as fast as the flow goes) -q qos</c>.</summary>
public sealed record PerfOptions
{
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    public int Size { get; init; } = 1000;

    public long Rate { get; init; }

    public QosSpec Qos { get; init; } = QosSpec.Data;
}

/// <summary>What a perf run measured at the receiver.</summary>
public sealed record PerfResult(long Packets, long Bytes, TimeSpan Elapsed, long SentPackets, long SentBytes)
{
    public double Mbps => Elapsed.TotalSeconds <= 0 ? 0 : Bytes * 8 / Elapsed.TotalSeconds / 1e6;

    public double PacketsPerSecond => Elapsed.TotalSeconds <= 0 ? 0 : Packets / Elapsed.TotalSeconds;

    public double LossPercent => SentPackets == 0 ? 0 : 100.0 * (SentPackets - Packets) / SentPackets;

    /// <summary>ocbr's line: "packets (bytes) in ms => pps, Mbps", with the loss operf adds.</summary>
    public string Format(string name) => string.Create(CultureInfo.InvariantCulture,
        $"Flow {name}: {Packets} packets ({Bytes} bytes) in {Elapsed.TotalMilliseconds:0} ms => {PacketsPerSecond:0.000} pps, {Mbps:0.000} Mbps; {SentPackets} sent, {LossPercent:0.###}% loss");
}

/// <summary>
/// operf/ocbr over a flow: the client sends data messages (first byte 0) for the duration, then an end message (1);
/// the server counts them from the first data message to the end and answers the end with
/// <c>{packets u64, bytes u64, elapsed_us u64}</c>. Throughput is the receiver's.
/// </summary>
public static class PerfServer
{
    /// <summary>
    /// Serves every flow <paramref name="acceptor"/> hands over. With <paramref name="interval"/> (ocbr's <c>-i MS</c>),
    /// also prints each live flow's throughput over every interval: <c>[T ms] Flow N: … in MS ms => pps, Mbps</c>, T from
    /// the server's start, N the flow's number in accept order (the fair-share experiment reads these).
    /// </summary>
    public static async Task RunAsync(FlowAcceptor acceptor, TextWriter output, CancellationToken cancellationToken, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(acceptor);
        var sessions = new List<Task>();
        var live = new List<Session>();
        using var stopReports = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reports = interval is { } every ? ReportAsync(live, every, output, stopReports.Token) : Task.CompletedTask;
        try
        {
            var number = 0;
            while (!cancellationToken.IsCancellationRequested)
            {
                var flow = await acceptor.AcceptAsync(cancellationToken).ConfigureAwait(false);
                var session = new Session(++number);
                lock (live)
                {
                    live.Add(session);
                }
                sessions.RemoveAll(t => t.IsCompleted);
                sessions.Add(ServeAsync(flow, session, output, live, cancellationToken));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or System.Threading.Channels.ChannelClosedException)
        {
        }
        await Task.WhenAll(sessions).ConfigureAwait(false);
        await stopReports.CancelAsync().ConfigureAwait(false);
        await reports.ConfigureAwait(false);
    }

    /// <summary>Parses the program's <c>args</c>: <c>-i MS</c> / <c>--interval MS</c>; null without it.</summary>
    public static TimeSpan? ParseInterval(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        for (var i = 0; i + 1 < args.Count; i++)
        {
            if (args[i] is "-i" or "--interval" && double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && ms is >= 1 and <= 3_600_000)
            {
                return TimeSpan.FromMilliseconds(ms);
            }
        }
        return null;
    }

    private static async Task ReportAsync(List<Session> live, TimeSpan interval, TextWriter output, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(interval);
        var last = clock.Elapsed;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var now = clock.Elapsed;
                var span = now - last;
                last = now;
                Session[] sessions;
                lock (live)
                {
                    sessions = [.. live];
                }
                foreach (var s in sessions)
                {
                    var (packets, bytes) = s.TakeWindow();
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"[{now.TotalMilliseconds:0}] Flow {s.Number}: {packets} packets ({bytes} bytes) in {span.TotalMilliseconds:0} ms => {packets / span.TotalSeconds:0.000} pps, {bytes * 8 / span.TotalSeconds / 1e6:0.000} Mbps")).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task ServeAsync(Flow flow, Session session, TextWriter output, List<Session> live, CancellationToken cancellationToken)
    {
        await using (flow.ConfigureAwait(false))
        {
            long packets = 0, bytes = 0;
            Stopwatch? clock = null;
            try
            {
                while (true)
                {
                    var m = await flow.ReadMessageAsync(cancellationToken).ConfigureAwait(false);
                    if (m.Length > 0 && m[0] == 1)
                    {
                        var report = new byte[24];
                        BinaryPrimitives.WriteInt64BigEndian(report, packets);
                        BinaryPrimitives.WriteInt64BigEndian(report.AsSpan(8), bytes);
                        BinaryPrimitives.WriteInt64BigEndian(report.AsSpan(16), (long)(clock?.Elapsed.TotalMicroseconds ?? 0));
                        await flow.WriteAsync(report, cancellationToken).ConfigureAwait(false);
                        var sent = m.Length >= 9 ? BinaryPrimitives.ReadInt64BigEndian(m.AsSpan(1)) : packets;
                        await output.WriteLineAsync(new PerfResult(packets, bytes, clock?.Elapsed ?? TimeSpan.Zero, sent, 0).Format(flow.Name)).ConfigureAwait(false);
                        packets = bytes = 0;
                        clock = null;
                        continue;
                    }
                    clock ??= Stopwatch.StartNew();
                    packets++;
                    bytes += m.Length;
                    session.Add(m.Length);
                }
            }
            catch (Exception e) when (e is FlowException or OperationCanceledException)
            {
            }
            finally
            {
                lock (live)
                {
                    live.Remove(session);
                }
            }
        }
    }

    /// <summary>One served flow's counters for the interval reports (written by its reader, taken by the reporter).</summary>
    private sealed class Session(int number)
    {
        private long _packets;
        private long _bytes;

        public int Number => number;

        public void Add(int bytes)
        {
            Interlocked.Increment(ref _packets);
            Interlocked.Add(ref _bytes, bytes);
        }

        public (long Packets, long Bytes) TakeWindow() => (Interlocked.Exchange(ref _packets, 0), Interlocked.Exchange(ref _bytes, 0));
    }
}

/// <summary>The client side of <see cref="PerfServer"/>.</summary>
public static class PerfClient
{
    /// <summary>How far behind its schedule a rate-limited sender may catch up (by sending back to back).</summary>
    private static readonly TimeSpan MaxCatchUp = TimeSpan.FromMilliseconds(10);

    public static async Task<PerfResult> RunAsync(OverlayNode node, string name, PerfOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(options);
        await using var flow = await node.AllocAsync(name, options.Qos, cancellationToken).ConfigureAwait(false);
        return await RunAsync(flow, options, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<PerfResult> RunAsync(Flow flow, PerfOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentNullException.ThrowIfNull(options);
        var size = Math.Clamp(options.Size, 9, flow.MaxMessageSize);
        var message = new byte[size];
        var clock = Stopwatch.StartNew();
        long sent = 0;
        // The schedule at the rate: sent since `paced` is due at `since` + its bits / rate.
        var since = TimeSpan.Zero;
        long paced = 0;
        while (clock.Elapsed < options.Duration)
        {
            await flow.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            sent++;
            if (options.Rate > 0)
            {
                var due = since + TimeSpan.FromSeconds((sent - paced) * size * 8.0 / options.Rate);
                var now = clock.Elapsed;
                if (due > now + TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(due - now, cancellationToken).ConfigureAwait(false);
                }
                else if (now - due > MaxCatchUp)
                {
                    // Constant bit rate: a sender that fell behind (its process stalled, or the flow held it back)
                    // goes on at the rate from now rather than bursting to make up for the lost time.
                    since = now;
                    paced = sent;
                }
            }
        }
        var end = new byte[9];
        end[0] = 1;
        BinaryPrimitives.WriteInt64BigEndian(end.AsSpan(1), sent);
        await flow.WriteAsync(end, cancellationToken).ConfigureAwait(false);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(TimeSpan.FromSeconds(30));
        var report = await flow.ReadMessageAsync(wait.Token).ConfigureAwait(false);
        if (report.Length < 24)
        {
            throw new FlowException(OverlayError.Invalid, "a short perf report");
        }
        return new PerfResult(BinaryPrimitives.ReadInt64BigEndian(report), BinaryPrimitives.ReadInt64BigEndian(report.AsSpan(8)),
            TimeSpan.FromMicroseconds(BinaryPrimitives.ReadInt64BigEndian(report.AsSpan(16))), sent, sent * size);
    }
}
