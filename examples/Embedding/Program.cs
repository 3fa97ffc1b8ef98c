// Embedding a Ouinet client in a .NET program: start it in-process, send HTTP through it, stop it.
//
//   dotnet run --project examples/Embedding                       # fetches a page from a tiny local origin
//   dotnet run --project examples/Embedding -- https://example.com/ \
//       tcp:127.0.0.1:7070 <injector public key hex>               # through an injector too
//
// The client's options are those of `ouinet client` (see src/Ouinet.Client/README.md); the builder names them.
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ouinet.Client;

var repository = Path.Combine(Path.GetTempPath(), "ouinet-embedding-example");
var url = args.Length > 0 ? args[0] : null;
using var origin = url is null ? LocalOrigin.Start() : null;
url ??= origin!.Url;

var builder = new OuinetClientBuilder()
    .WithRepository(repository)                          // CA, cache and config live here (created when missing)
    .ListenOn(new IPEndPoint(IPAddress.Loopback, 0))     // any free port (the default is 127.0.0.1:8077)
    .WithFrontEnd(new IPEndPoint(IPAddress.Loopback, 0)); // the status page too (default 127.0.0.1:8078; WithoutFrontEnd() for none)
if (args.Length >= 3)
{
    builder.WithInjector(args[1]).WithCachePublicKey(args[2]);
}

await using var client = builder.Build();
var proxy = await client.StartAsync();
Console.WriteLine($"Ouinet client proxy on {proxy}; its CA (for HTTPS) is {client.CaCertificatePath}; front-end on http://{client.FrontEndEndPoint}/");

using var handler = new HttpClientHandler
{
    Proxy = new WebProxy($"http://{proxy}") { BypassProxyOnLocal = false, UseDefaultCredentials = false },
    UseProxy = true,
    // HTTPS is intercepted by the client: trust its CA (here, only for this HttpClient).
    ServerCertificateCustomValidationCallback = (_, certificate, _, errors) =>
    {
        if (certificate is null || errors.HasFlag(System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return false;
        }
        using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
        chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(client.CaCertificate);
        chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    },
};
using var http = new HttpClient(handler);
using var response = await http.GetAsync(url);
var source = response.Headers.TryGetValues("X-Ouinet-Source", out var values) ? string.Join(",", values) : "?";
Console.WriteLine($"{(int)response.StatusCode} {url} (X-Ouinet-Source: {source})");
Console.WriteLine(await response.Content.ReadAsStringAsync());

await client.StopAsync();
Console.WriteLine("Stopped.");

/// <summary>A one-page HTTP origin on a free loopback port, so the example runs without network.</summary>
internal sealed class LocalOrigin : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    private LocalOrigin(int port)
    {
        // The name, not 127.0.0.1: WebProxy never proxies requests to loopback addresses.
        Url = $"http://localhost:{port}/";
        _listener.Prefixes.Add($"http://localhost:{port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string Url { get; }

    public static LocalOrigin Start()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new LocalOrigin(port);
    }

    public void Dispose()
    {
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(1));
        }
        catch (AggregateException)
        {
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            var body = Encoding.UTF8.GetBytes("Hello from a local origin, through the Ouinet client!\n");
            context.Response.ContentType = "text/plain";
            context.Response.ContentLength64 = body.Length;
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
    }
}
