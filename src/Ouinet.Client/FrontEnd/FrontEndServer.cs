using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ouinet.Client.FrontEnd;

/// <summary>
/// The client's front-end (<c>front-end-ep</c>, 127.0.0.1:8078): the status page with its live dashboard and Ouinet's
/// JSON API, on Kestrel with minimal APIs, assets embedded in the assembly. Every request passes
/// <see cref="FrontEndGuard"/> (own Host only, credentials, CSRF token on every POST). Owns the injector probe and the
/// distributed-cache sampler, and stops them with itself.
/// </summary>
internal sealed class FrontEndServer : IAsyncDisposable
{
    /// <summary>Largest request body (forms and API posts are a few fields).</summary>
    public const long MaxRequestBody = 64 * 1024;

    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private WebApplication? _app;

    public FrontEndServer(OuinetClient client, ILogger logger)
    {
        Client = client;
        Logger = logger;
        CsrfToken = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        Peers = new PeerSeries(client, client.Options.TimeProvider);
        Probe = client.Options.Injector is { EndPoint: not null } injector ? new InjectorProbe(injector, client.Options.TimeProvider) : null;
    }

    public OuinetClient Client { get; }

    public ILogger Logger { get; }

    /// <summary>The per-process token every POST must carry in its <c>csrf</c> field (given out by <c>/api/status</c>).</summary>
    public string CsrfToken { get; }

    public IPEndPoint EndPoint { get; private set; } = null!;

    public InjectorProbe? Probe { get; }

    public PeerSeries Peers { get; }

    /// <summary>Relays the proxy's front-end requests here (loopback, never through a proxy).</summary>
    public HttpClient RelayClient { get; } = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    }) { Timeout = Timeout.InfiniteTimeSpan };

    public async Task StartAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = MaxRequestBody;
            k.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            k.Listen(endPoint);
        });
        var app = builder.Build();
        app.Use(new FrontEndGuard(this).InvokeAsync);
        FrontEndRoutes.Map(app, this);
        _app = app;
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        EndPoint = new IPEndPoint(endPoint.Address, new Uri(address).Port);
        if (Probe is not null)
        {
            _loops.Add(Probe.RunAsync(_stopping.Token));
        }
        _loops.Add(Peers.RunAsync(_stopping.Token));
    }

    /// <summary>The endpoint as a Host header names it (<c>127.0.0.1:8078</c>, <c>[::1]:8078</c>).</summary>
    public string Authority => EndPoint.ToString();

    public string PortText => EndPoint.Port.ToString(CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_loops);
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }
        RelayClient.Dispose();
        _stopping.Dispose();
    }
}
