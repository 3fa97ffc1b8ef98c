using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Ouinet.Http;
using Ouinet.Protocol;
using Ouinet.Protocol.Streams;

namespace Ouinet.Client.DistributedCache;

/// <summary>A run of whole blocks of a large entry, fetched with one range request; once done, its verified bytes are in <see cref="File"/>.</summary>
internal sealed class RangeSegment(int index, long firstBlock, long lastBlock)
{
    public int Index { get; } = index;

    public long FirstBlock { get; } = firstBlock;

    public long LastBlock { get; } = lastBlock;

    public long BlockCount => LastBlock - FirstBlock + 1;

    /// <summary>The verified blocks' signatures and hashes, in order (set once done).</summary>
    public IReadOnlyList<SignedBlock> Blocks { get; set; } = [];

    /// <summary>The file holding the segment's verified bytes (set once done).</summary>
    public string? File { get; set; }

    public IPEndPoint? From { get; set; }

    public bool IsDone { get; set; }

    /// <summary>When the segment's latest attempt started (a <see cref="TimeProvider"/> timestamp); guarded by the fetch's lock.</summary>
    public long ClaimedAt { get; set; }

    /// <summary>Attempts running on this segment (two when a faster peer races a slow one); guarded by the fetch's lock.</summary>
    public List<CancellationTokenSource> Attempts { get; } = [];

    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// Fetches a large entry from several peers at once by block-aligned ranges (Ouinet C++ takes a whole entry from one
/// peer). The body is cut into segments of whole blocks; each peer in use runs a worker that takes the lowest segment not
/// yet taken within a window ahead of the reader, asks its peer for that range on a connection it keeps open for the
/// next one, and verifies it (<see cref="SignedResponseReader"/>: the same injection, each block's signature) into a
/// file of its own in a staging directory; only then is the segment done. A peer whose range does not verify is dropped;
/// one that breaks off or goes silent is dropped and may come back once; either way its segment is taken by another.
/// When the reader waits on a segment while a worker has nothing to do, that worker races the segment's peer: the
/// slower one only loses that segment. A peer is dropped for slowness on measured rates alone: when two attempts in a
/// row and its overall rate are under a quarter of the best peer's, so that a pause of a busy machine does not drop a
/// healthy peer.
/// Memory holds only block signatures; the reader takes segments in order (<see cref="WaitAsync"/>) and releases them
/// (<see cref="Release"/>), which moves the window on.
/// </summary>
internal sealed class RangeFetch : IAsyncDisposable
{
    /// <summary>About how many bytes one range request asks for (whole blocks).</summary>
    public const int SegmentBytes = 1024 * 1024;

    /// <summary>An attempt is slow when its rate times this is under the best peer's rate…</summary>
    internal const int SlowPeerRatio = 4;

    /// <summary>…and a peer is dropped as slow after this many slow attempts in a row (one pause of a busy machine is not enough).</summary>
    internal const int SlowAttemptsToDrop = 2;

    /// <summary>Attempts shorter than this are not judged (too short to tell a rate from scheduling noise).</summary>
    private static readonly TimeSpan MinimumJudgedAttempt = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a peer that broke off waits before it is asked again (once).</summary>
    private static readonly TimeSpan ReturnDelay = TimeSpan.FromSeconds(1);

    private readonly DistributedCacheService _owner;
    private readonly string _uri;
    private readonly string _injectionId;
    private readonly int _blockSize;
    private readonly long _dataSize;
    private readonly string _spool;
    private readonly RangeSegment[] _segments;
    private readonly Queue<IPEndPoint> _pool;
    private readonly ChannelReader<IPEndPoint> _more;
    private readonly HashSet<IPEndPoint> _seen;
    private readonly HashSet<IPEndPoint> _used = [];
    private readonly Dictionary<IPEndPoint, PeerRate> _rates = [];
    private readonly HashSet<IPEndPoint> _returned = [];
    private readonly CancellationTokenSource _stop;
    private readonly Lock _lock = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _consumed;
    private int _active;
    private Exception? _failure;
    private Task? _run;

    public RangeFetch(DistributedCacheService owner, string uri, string injectionId, int blockSize, long dataSize, string spoolDirectory,
        IEnumerable<IPEndPoint> peers, ChannelReader<IPEndPoint> more, IEnumerable<IPEndPoint> exclude, CancellationToken cancellationToken)
    {
        _owner = owner;
        _uri = uri;
        _injectionId = injectionId;
        _blockSize = blockSize;
        _dataSize = dataSize;
        _spool = spoolDirectory;
        _more = more;
        _seen = [.. exclude];
        _pool = new Queue<IPEndPoint>();
        foreach (var peer in peers)
        {
            if (_seen.Add(peer))
            {
                _pool.Enqueue(peer);
            }
        }
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, owner.Stopping);
        var blocksPerSegment = Math.Max(1, SegmentBytes / blockSize);
        var blockCount = (dataSize + blockSize - 1) / blockSize;
        _segments = new RangeSegment[(int)((blockCount + blocksPerSegment - 1) / blocksPerSegment)];
        for (var i = 0; i < _segments.Length; i++)
        {
            var first = (long)i * blocksPerSegment;
            _segments[i] = new RangeSegment(i, first, Math.Min(first + blocksPerSegment, blockCount) - 1);
        }
    }

    public int SegmentCount => _segments.Length;

    public long DataSize => _dataSize;

    /// <summary>The first verified 206 head (its head Sig1 signs the data size and digest the whole body is checked against).</summary>
    public HttpResponseHead? RangeHead { get; private set; }

    /// <summary>Peers that gave at least one verified segment.</summary>
    public int PeersUsed
    {
        get
        {
            lock (_lock)
            {
                return _used.Count;
            }
        }
    }

    private DistributedCacheTimings Timings => _owner.Options.DistributedCacheTimings;

    /// <summary>How many segments ahead of the reader may be fetched (and staged) at once.</summary>
    private int Window => 4 * Timings.ParallelPeers;

    public void Start()
    {
        Directory.CreateDirectory(_spool);
        _run = Task.Run(RunAsync, CancellationToken.None);
    }

    /// <summary>
    /// Segment <paramref name="index"/> once verified; throws <see cref="PeerException"/> when no peer is left to give it,
    /// or when none gave it within <see cref="StallTimeout"/> (a guard: each attempt has its own idle timeout).
    /// </summary>
    public async Task<RangeSegment> WaitAsync(int index, CancellationToken cancellationToken)
    {
        var segment = _segments[index];
        try
        {
            await segment.Done.Task.WaitAsync(StallTimeout, _owner.Options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            int attempts, active;
            lock (_lock)
            {
                attempts = segment.Attempts.Count;
                active = Volatile.Read(ref _active);
            }
            throw new PeerException($"range {index} did not arrive within {StallTimeout.TotalSeconds:0} s ({attempts} attempts, {active} peers in use)", rejected: false);
        }
        return segment;
    }

    /// <summary>The longest wait for one segment before the fetch is given up.</summary>
    private TimeSpan StallTimeout => 4 * Timings.PeerBodyTimeout;

    /// <summary>The reader is done with segment <paramref name="index"/>: its file goes and the window moves on.</summary>
    public void Release(int index)
    {
        var segment = _segments[index];
        TryDelete(segment.File);
        lock (_lock)
        {
            _consumed = Math.Max(_consumed, index + 1);
            PulseLocked();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_run is not null)
        {
            await _run.ConfigureAwait(false);
        }
        _stop.Dispose();
        AtomicDelete(_spool);
    }

    private async Task RunAsync()
    {
        var workers = new List<Task>();
        var lookupDone = false;
        try
        {
            while (!_stop.IsCancellationRequested && !AllDone())
            {
                while (!lookupDone && _more.TryRead(out var found))
                {
                    if (_seen.Add(found))
                    {
                        _pool.Enqueue(found);
                    }
                }
                while (workers.Count < Timings.ParallelPeers && _pool.TryDequeue(out var peer))
                {
                    Interlocked.Increment(ref _active);
                    workers.Add(WorkerAsync(peer));
                }
                if (workers.Count == 0 && (lookupDone || _more.Completion.IsCompleted))
                {
                    Fail(new PeerException($"no peer left to give the rest of the entry ({_segments.Count(s => !s.IsDone)} of {_segments.Length} ranges missing)", rejected: false));
                    return;
                }
                var waits = new List<Task>(workers);
                if (!lookupDone)
                {
                    waits.Add(_more.WaitToReadAsync(_stop.Token).AsTask());
                }
                var done = await Task.WhenAny(waits).ConfigureAwait(false);
                if (done is Task<bool> lookup)
                {
                    lookupDone = !lookup.IsCompletedSuccessfully || !lookup.Result;
                    continue;
                }
                workers.Remove(done);
                if (done is Task<IPEndPoint?> { Result: { } back })
                {
                    _pool.Enqueue(back);
                }
            }
        }
        catch (Exception e)
        {
            Fail(e);
        }
        finally
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            lock (_lock)
            {
                PulseLocked();
            }
            await Task.WhenAll(workers).ConfigureAwait(false);
            if (!AllDone())
            {
                Fail(new OperationCanceledException("The range fetch stopped."));
            }
        }
    }

    /// <summary>
    /// Takes segments for <paramref name="peer"/> on one kept-alive connection until none is left or the peer is
    /// dropped; returns the peer when it may be tried again (it broke off or went silent for the first time).
    /// </summary>
    private async Task<IPEndPoint?> WorkerAsync(IPEndPoint peer)
    {
        await Task.Yield();
        PeerRate rate;
        bool returning;
        lock (_lock)
        {
            rate = _rates.TryGetValue(peer, out var known) ? known : _rates[peer] = new PeerRate();
            returning = _returned.Contains(peer);
        }
        var link = new PeerLink(peer);
        try
        {
            if (returning)
            {
                // Give a peer that broke off a moment (e.g. to free connection slots) before asking it again.
                await Task.Delay(ReturnDelay, _owner.Options.TimeProvider, _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
            while (await ClaimAsync(peer).ConfigureAwait(false) is var (segment, attempt, racing))
            {
                string? file = null;
                var started = _owner.Options.TimeProvider.GetTimestamp();
                var received = new StrongBox<long>();
                try
                {
                    IReadOnlyList<SignedBlock> blocks;
                    (file, blocks) = await FetchAsync(link, segment, received, attempt.Token).ConfigureAwait(false);
                    Complete(segment, attempt, peer, file, blocks);
                    file = null;
                }
                catch (OperationCanceledException) when (attempt.IsCancellationRequested && !_stop.IsCancellationRequested)
                {
                    // Another peer gave this segment first while we were still at it: we lose it, not our place.
                    Unclaim(segment, attempt);
                }
                catch (Exception e) when (e is PeerException or OuinetVerificationException or IOException or HttpParseException or ObjectDisposedException
                    || (e is OperationCanceledException && !_stop.IsCancellationRequested))
                {
                    Unclaim(segment, attempt);
                    var rejected = e is OuinetVerificationException or HttpParseException || (e is PeerException p && p.Rejected);
                    var reason = e is OuinetVerificationException v ? $"{peer}: range {segment.Index} failed verification ({v.Code}): {v.Message}"
                        : e is PeerException ? e.Message
                        : e is OperationCanceledException ? $"{peer}: went silent in range {segment.Index}"
                        : $"{peer}: range {segment.Index} broke off: {e.Message}";
                    if (rejected)
                    {
                        _owner.AddRejected();
                        Log.PeerRejected(_owner.Logger, reason);
                        return null;
                    }
                    return Drop(peer, reason);
                }
                catch (OperationCanceledException)
                {
                    Unclaim(segment, attempt);
                    return null;
                }
                catch (Exception e)
                {
                    // Anything else a peer's connection throws: the peer is dropped, its range left to the others.
                    Unclaim(segment, attempt);
                    return Drop(peer, $"{peer}: range {segment.Index}: {e.GetType().Name}: {e.Message}");
                }
                finally
                {
                    TryDelete(file);
                    attempt.Dispose();
                    await link.DropBrokenAsync().ConfigureAwait(false);
                    lock (_lock)
                    {
                        // A race lost by the racer tells little of its rate (it started late, often on a new connection).
                        var won = peer.Equals(segment.From);
                        rate.Add(received.Value, _owner.Options.TimeProvider.GetElapsedTime(started), won, judged: won || !racing, BestRateLocked());
                    }
                }
                if (IsTooSlow(rate, out var bytesPerSecond, out var best))
                {
                    Log.PeerSlow(_owner.Logger, peer, bytesPerSecond / (1024 * 1024), best / (1024 * 1024));
                    return null;
                }
            }
            return null;
        }
        finally
        {
            await link.DisposeAsync().ConfigureAwait(false);
            Interlocked.Decrement(ref _active);
        }
    }

    /// <summary>Drops a peer that broke off or went silent (logged); the first time, it is handed back to be tried again later.</summary>
    private IPEndPoint? Drop(IPEndPoint peer, string reason)
    {
        bool again;
        lock (_lock)
        {
            again = _returned.Add(peer);
        }
        Log.RangePeerDropped(_owner.Logger, reason, again);
        return again ? peer : null;
    }

    /// <summary>
    /// Whether the peer's last <see cref="SlowAttemptsToDrop"/> attempts were all slow and its overall rate is slow too
    /// (so a run of bad ranges while the machine is busy does not outweigh a good record), while another peer is in use.
    /// </summary>
    private bool IsTooSlow(PeerRate rate, out double bytesPerSecond, out double best)
    {
        lock (_lock)
        {
            bytesPerSecond = rate.BytesPerSecond;
            best = BestRateLocked();
            return rate.SlowInARow >= SlowAttemptsToDrop && bytesPerSecond * SlowPeerRatio < best && Volatile.Read(ref _active) > 1;
        }
    }

    /// <summary>The best overall rate of the peers that gave a whole segment (0 before any did).</summary>
    private double BestRateLocked() => _rates.Values.Where(r => r.HasGivenSegments).Select(r => r.BytesPerSecond).DefaultIfEmpty(0).Max();

    /// <summary>
    /// The next segment for <paramref name="peer"/>, the token of its attempt, and whether it races another peer's
    /// attempt; null when all are done or the fetch stops.
    /// </summary>
    private async Task<(RangeSegment, CancellationTokenSource, bool Racing)?> ClaimAsync(IPEndPoint peer)
    {
        var time = _owner.Options.TimeProvider;
        while (true)
        {
            Task changed;
            var recheck = Timeout.InfiniteTimeSpan;
            lock (_lock)
            {
                if (_stop.IsCancellationRequested || _failure is not null || AllDone())
                {
                    return null;
                }
                var end = Math.Min(_segments.Length, _consumed + Window);
                RangeSegment? headOfLine = null;
                for (var i = _consumed; i < end; i++)
                {
                    var segment = _segments[i];
                    if (segment.IsDone)
                    {
                        continue;
                    }
                    headOfLine ??= segment;
                    if (segment.Attempts.Count == 0)
                    {
                        return (segment, Attempt(segment), false);
                    }
                }
                // Nothing left to take: race the segment the reader waits on, if a single peer has had it for longer than
                // this peer would take for a whole segment at its measured rate (the slower one then loses only that).
                if (headOfLine is { Attempts.Count: 1 })
                {
                    var rate = _rates.TryGetValue(peer, out var known) ? known.BytesPerSecond : 0;
                    var needed = rate > 0 ? TimeSpan.FromSeconds(SegmentBytes / rate) : TimeSpan.Zero;
                    var held = time.GetElapsedTime(headOfLine.ClaimedAt);
                    if (held >= needed)
                    {
                        return (headOfLine, Attempt(headOfLine), true);
                    }
                    recheck = needed - held;
                }
                changed = _changed.Task;
            }
            try
            {
                await changed.WaitAsync(recheck, time, _stop.Token).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }

        CancellationTokenSource Attempt(RangeSegment segment)
        {
            var attempt = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            segment.Attempts.Add(attempt);
            segment.ClaimedAt = time.GetTimestamp();
            return attempt;
        }
    }

    /// <summary>
    /// Asks the peer on <paramref name="link"/>'s connection (a new one when there is none or the peer closed it
    /// meanwhile) for the segment's range and stages its verified blocks in a file of this attempt's own; counts the
    /// bytes into <paramref name="received"/>.
    /// </summary>
    private async Task<(string File, IReadOnlyList<SignedBlock> Blocks)> FetchAsync(PeerLink link, RangeSegment segment, StrongBox<long> received, CancellationToken cancellationToken)
    {
        var peer = link.Peer;
        var first = segment.FirstBlock * _blockSize;
        var last = Math.Min((segment.LastBlock + 1) * _blockSize, _dataSize) - 1;
        var requested = new RequestedRange(first, last);
        PeerResponse response;
        try
        {
            link.Connection ??= await _owner.Fetcher.ConnectAsync(peer, cancellationToken).ConfigureAwait(false);
            response = await _owner.Fetcher.RequestAsync(link.Connection, _uri, requested, cancellationToken).ConfigureAwait(false);
        }
        catch (PeerException e) when (e.Stale)
        {
            Log.KeptConnectionClosed(_owner.Logger, peer, e.Message);
            await link.DropBrokenAsync().ConfigureAwait(false);
            link.Connection = await _owner.Fetcher.ConnectAsync(peer, cancellationToken).ConfigureAwait(false);
            response = await _owner.Fetcher.RequestAsync(link.Connection, _uri, requested, cancellationToken).ConfigureAwait(false);
        }
        await using var _ = response.ConfigureAwait(false);
        var reader = response.Signed;
        if (reader.Kind != SignedResponseKind.Range || reader.Range is not { } range)
        {
            throw new PeerException($"{peer} answered range {segment.Index} with a whole entry", rejected: true);
        }
        if (reader.Injection.Id != _injectionId || reader.BlockSize != _blockSize || range.DataSize != _dataSize || range.FirstBlock != segment.FirstBlock)
        {
            // Another injection of the entry (or another cut of it): its blocks are genuine but not of this body.
            throw new PeerException($"{peer} answered range {segment.Index} from another injection or layout", rejected: false);
        }
        var file = Path.Combine(_spool, $"range-{segment.Index}-{Guid.NewGuid():N}");
        var blocks = new List<SignedBlock>((int)segment.BlockCount);
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, response.Idle.Token);
            var output = new FileStream(file, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.Asynchronous, BufferSize = 0 });
            await using (output.ConfigureAwait(false))
            {
                while (blocks.Count < segment.BlockCount && await reader.ReadBlockAsync(linked.Token).ConfigureAwait(false) is { } block)
                {
                    if (block.Block is not { } signed || signed.Index != segment.FirstBlock + blocks.Count)
                    {
                        throw new PeerException($"{peer} sent range {segment.Index}'s blocks out of order", rejected: true);
                    }
                    await output.WriteAsync(block.Data, linked.Token).ConfigureAwait(false);
                    received.Value += block.Data.Length;
                    // The reader reuses its buffers: keep copies of the few bytes a sigs line needs.
                    blocks.Add(signed with
                    {
                        Signature = signed.Signature.ToArray(),
                        Hash = signed.Hash.ToArray(),
                        PreviousChainedHash = signed.PreviousChainedHash.ToArray(),
                        ChainedHash = signed.ChainedHash.ToArray(),
                    });
                }
            }
            if (blocks.Count < segment.BlockCount)
            {
                throw new PeerException($"{peer} ended range {segment.Index} after {blocks.Count} of {segment.BlockCount} blocks", rejected: true);
            }
            // Read to the end of the response (its last chunk, the range's length checked) so the connection can carry the next.
            if (await reader.ReadBlockAsync(linked.Token).ConfigureAwait(false) is not null)
            {
                throw new PeerException($"{peer} sent more blocks than range {segment.Index} holds", rejected: true);
            }
            lock (_lock)
            {
                RangeHead ??= reader.Head;
            }
            return (file, blocks);
        }
        catch
        {
            TryDelete(file);
            throw;
        }
    }

    private void Complete(RangeSegment segment, CancellationTokenSource attempt, IPEndPoint peer, string file, IReadOnlyList<SignedBlock> blocks)
    {
        CancellationTokenSource[] others;
        lock (_lock)
        {
            segment.Attempts.Remove(attempt);
            if (segment.IsDone)
            {
                TryDelete(file);
                return;
            }
            segment.IsDone = true;
            segment.File = file;
            segment.Blocks = blocks;
            segment.From = peer;
            _used.Add(peer);
            others = [.. segment.Attempts];
            PulseLocked();
        }
        segment.Done.TrySetResult();
        // Outside the lock: cancelling runs the racing attempt's callbacks; they must not stop this segment being done.
        foreach (var other in others)
        {
            try
            {
                other.Cancel();
            }
            catch (Exception e) when (e is ObjectDisposedException or AggregateException)
            {
            }
        }
    }

    private void Unclaim(RangeSegment segment, CancellationTokenSource attempt)
    {
        lock (_lock)
        {
            segment.Attempts.Remove(attempt);
            PulseLocked();
        }
    }

    private void Fail(Exception e)
    {
        lock (_lock)
        {
            _failure ??= e;
            PulseLocked();
        }
        foreach (var segment in _segments)
        {
            segment.Done.TrySetException(_failure);
        }
    }

    private bool AllDone()
    {
        lock (_lock)
        {
            return _segments.All(s => s.IsDone);
        }
    }

    private void PulseLocked()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    private static void TryDelete(string? file)
    {
        if (file is null)
        {
            return;
        }
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void AtomicDelete(string directory) => Ouinet.Cache.Storage.AtomicDirectory.Delete(directory);

    /// <summary>A worker's peer and the connection it keeps open between ranges.</summary>
    private sealed class PeerLink(IPEndPoint peer) : IAsyncDisposable
    {
        public IPEndPoint Peer { get; } = peer;

        public PeerConnection? Connection { get; set; }

        /// <summary>Closes the connection if an exchange left it unusable (the next range then opens a new one).</summary>
        public async ValueTask DropBrokenAsync()
        {
            if (Connection is { IsReusable: false } broken)
            {
                Connection = null;
                await broken.DisposeAsync().ConfigureAwait(false);
            }
        }

        public ValueTask DisposeAsync() => Connection?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    /// <summary>
    /// A peer's measured rate: overall (bytes over the time its attempts took, lost races and failures included) and its
    /// run of slow attempts (each under 1/<see cref="SlowPeerRatio"/> of the best peer's rate); guarded by the fetch's lock.
    /// </summary>
    private sealed class PeerRate
    {
        private long _bytes;
        private TimeSpan _busy;

        public bool HasGivenSegments { get; private set; }

        public double BytesPerSecond => _busy > TimeSpan.Zero ? _bytes / _busy.TotalSeconds : 0;

        public int SlowInARow { get; private set; }

        public void Add(long bytes, TimeSpan elapsed, bool done, bool judged, double best)
        {
            _bytes += bytes;
            _busy += elapsed;
            HasGivenSegments |= done;
            if (!judged || elapsed < MinimumJudgedAttempt)
            {
                return;
            }
            SlowInARow = bytes / elapsed.TotalSeconds * SlowPeerRatio < best ? SlowInARow + 1 : 0;
        }
    }
}
