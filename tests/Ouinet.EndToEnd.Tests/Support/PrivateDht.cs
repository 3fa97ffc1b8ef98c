using System.Net;

namespace Ouinet.EndToEnd.Tests.Support;

/// <summary>Who makes up a test's private DHT.</summary>
public enum DhtMix
{
    /// <summary>Our nodes only.</summary>
    Ours,
    /// <summary>Ours and a libtorrent node: the fetching client enters the DHT only through the libtorrent node.</summary>
    WithLibtorrent,
}

/// <summary>
/// A test's private DHT: our bootstrap node (<see cref="DhtBootstrapNode"/>) and, for <see cref="DhtMix.WithLibtorrent"/>,
/// a libtorrent node joined to it (<see cref="LibtorrentDhtNode"/>), to show our nodes work in a mixed swarm.
/// </summary>
internal sealed class PrivateDht : IAsyncDisposable
{
    private PrivateDht(DhtBootstrapNode ours, LibtorrentDhtNode? libtorrent)
    {
        Ours = ours;
        Libtorrent = libtorrent;
    }

    public DhtBootstrapNode Ours { get; }

    public LibtorrentDhtNode? Libtorrent { get; }

    public IPEndPoint EndPoint => Ours.EndPoint;

    /// <summary>Client options entering through our node (seeders, relays, injectors).</summary>
    public string[] ClientArguments => Ours.ClientArguments;

    /// <summary>Client options for the client under test: through the libtorrent node when there is one.</summary>
    public string[] FetcherArguments => Libtorrent is null ? Ours.ClientArguments :
    [
        "--cache-type", "bep5-http", "--udp-mux-address", "127.0.0.1", "--udp-mux-port", "0",
        "--bt-bootstrap-extra", Libtorrent.EndPoint.ToString(), "--bt-bootstrap-no-default", "--bt-allow-martians",
    ];

    public static async Task<PrivateDht> StartAsync(DhtMix mix, CancellationToken cancellationToken)
    {
        var ours = await DhtBootstrapNode.StartAsync(cancellationToken);
        try
        {
            var libtorrent = mix == DhtMix.WithLibtorrent ? await LibtorrentDhtNode.StartAsync(ours.EndPoint, cancellationToken) : null;
            return new PrivateDht(ours, libtorrent);
        }
        catch
        {
            await ours.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Libtorrent is not null)
        {
            await Libtorrent.DisposeAsync();
        }
        await Ours.DisposeAsync();
    }
}
