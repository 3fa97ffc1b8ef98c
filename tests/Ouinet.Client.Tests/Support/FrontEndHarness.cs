using System.Net;
using System.Text.Json;

namespace Ouinet.Client.Tests.Support;

/// <summary>A <see cref="ClientHarness"/> with its front-end on 127.0.0.1:0 and a plain HTTP client for it (no proxy).</summary>
internal sealed class FrontEndHarness : IAsyncDisposable
{
    private FrontEndHarness(ClientHarness harness)
    {
        Harness = harness;
        Http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false }) { Timeout = TimeSpan.FromSeconds(30) };
    }

    public ClientHarness Harness { get; }

    public OuinetClient Client => Harness.Client;

    public HttpClient Http { get; }

    public static async Task<FrontEndHarness> StartAsync(OriginFixture fixture, TestInjector? injector, CancellationToken cancellationToken, Func<ClientOptions, ClientOptions>? configure = null, string? repository = null)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var harness = await ClientHarness.StartAsync(fixture, injector, o =>
        {
            o = o with { FrontEndEndPoint = new IPEndPoint(IPAddress.Loopback, 0) };
            return configure is null ? o : configure(o);
        }, repository);
        return new FrontEndHarness(harness);
    }

    public string Url(string path) => $"http://{Client.FrontEndEndPoint}{path}";

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(Url(path), TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task<string> CsrfAsync() => (await GetJsonAsync("/api/status")).GetProperty("csrf").GetString()!;

    /// <summary>POSTs <paramref name="fields"/> as a form, with the right CSRF token unless <paramref name="csrf"/> is given.</summary>
    public async Task<HttpResponseMessage> PostAsync(string path, IEnumerable<KeyValuePair<string, string>> fields, string? csrf = null)
    {
        var all = fields.Append(new("csrf", csrf ?? await CsrfAsync()));
        return await Http.PostAsync(Url(path), new FormUrlEncodedContent(all), TestContext.Current.CancellationToken);
    }

    public Task<HttpResponseMessage> PostAsync(string path, params (string Key, string Value)[] fields) =>
        PostAsync(path, fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Harness.DisposeAsync();
    }
}
