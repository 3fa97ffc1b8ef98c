using System.Net.Sockets;

namespace Ouinet.Client.FrontEnd;

/// <summary>
/// Whether the injector accepts connections: a TCP connect to its endpoint, at start and then every
/// <see cref="Period"/>, for the front-end (injector reachability and the "degraded" state).
/// </summary>
internal sealed class InjectorProbe(InjectorEndpoint endpoint, TimeProvider time)
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    private volatile ProbeResult? _last;

    public InjectorEndpoint Endpoint => endpoint;

    /// <summary>The last result; null before the first probe ended.</summary>
    public ProbeResult? Last => _last;

    public async Task<ProbeResult> CheckAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout);
        string? error = null;
        try
        {
            // Only endpoints with an IP endpoint are probed (FrontEndServer): an overlay:NAME one has none.
            var ip = endpoint.EndPoint!;
            using var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(ip, timeout.Token);
        }
        catch (SocketException e)
        {
            error = e.Message;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            error = $"no answer within {ConnectTimeout.TotalSeconds:0} s";
        }
        var result = new ProbeResult(error is null, error, time.GetUtcNow());
        _last = result;
        return result;
    }

    /// <summary>Probes until <paramref name="cancellationToken"/> is canceled (the front-end owns and awaits this task).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            do
            {
                await CheckAsync(cancellationToken);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}

internal sealed record ProbeResult(bool Reachable, string? Error, DateTimeOffset CheckedAt);
