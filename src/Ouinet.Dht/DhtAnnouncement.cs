using Microsoft.Extensions.Logging;

namespace Ouinet.Dht;

/// <summary>
/// An info-hash kept announced by <see cref="DhtNode.KeepAnnounced"/>: announced once the node has joined, then again every
/// <see cref="DhtOptions.AnnounceInterval"/> (every <see cref="DhtOptions.AnnounceRetryInterval"/> while no node takes
/// it), until disposed.
/// </summary>
public sealed class DhtAnnouncement : IAsyncDisposable
{
    private readonly DhtNode _node;
    private readonly int? _port;
    private readonly DhtOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop;
    private readonly Task _loop;
    private DhtAnnounceResult? _lastResult;
    private int _count;
    private int _disposed;

    internal DhtAnnouncement(DhtNode node, InfoHash infoHash, int? port, Action<DhtAnnounceResult>? announced, DhtOptions options, TimeProvider time, ILogger logger, CancellationToken nodeStopping)
    {
        Announced += announced;
        _node = node;
        InfoHash = infoHash;
        _port = port;
        _options = options;
        _time = time;
        _logger = logger;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(nodeStopping);
        _loop = Task.Run(LoopAsync, CancellationToken.None);
    }

    public InfoHash InfoHash { get; }

    /// <summary>The outcome of the latest announce, or null before the first ends.</summary>
    public DhtAnnounceResult? LastResult => Volatile.Read(ref _lastResult);

    /// <summary>Announces done so far.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Raised after each announce (on a pool thread).</summary>
    public event Action<DhtAnnounceResult>? Announced;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stop.CancelAsync();
        await _loop;
        _node.Forget(this);
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            var wait = _options.AnnounceRetryInterval;
            try
            {
                // Announcing before joining would reach nobody.
                await _node.WaitForBootstrapAsync(token);
                var result = await _node.AnnounceAsync(InfoHash, _port, token);
                Volatile.Write(ref _lastResult, result);
                Interlocked.Increment(ref _count);
                Announced?.Invoke(result);
                if (result.Succeeded)
                {
                    wait = _options.AnnounceInterval;
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // One failed round must not end the announcement; it is logged and retried.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.AnnounceFailed(_logger, InfoHash.Key, e);
            }
            try
            {
                await Task.Delay(wait, _time, token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
