using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ouinet.Http;

namespace Ouinet.Cli.Testbed;

/// <summary>
/// The testbed's web site: a tiny HTTP/1.1 server on 127.0.0.1 with a few pages, reached by the name
/// <see cref="HostName"/> (which the testbed's resolver maps to 127.0.0.1). It counts what it serves, so the testbed can
/// show that a blocked client's page did not come from it.
/// </summary>
internal sealed class TestbedOrigin : IAsyncDisposable
{
    public const string HostName = "origin.test";

    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;
    private readonly Dictionary<string, (string Type, byte[] Body)> _pages;
    private long _requests;

    private TestbedOrigin(Socket listener)
    {
        _listener = listener;
        EndPoint = (IPEndPoint)listener.LocalEndPoint!;
        var big = new byte[1024 * 1024];
        for (var i = 0; i < big.Length; i++)
        {
            big[i] = (byte)('a' + (i * 7 % 26));
        }
        _pages = new Dictionary<string, (string, byte[])>(StringComparer.Ordinal)
        {
            ["/"] = ("text/html; charset=utf-8", Encoding.UTF8.GetBytes(
                "<!doctype html><title>Testbed origin</title><h1>Ouinet testbed origin</h1><ul>" +
                "<li><a href=\"/news.html\">news.html</a></li><li><a href=\"/hello.txt\">hello.txt</a></li>" +
                "<li><a href=\"/big.bin\">big.bin</a> (1 MiB)</li></ul>\n")),
            ["/hello.txt"] = ("text/plain; charset=utf-8", Encoding.UTF8.GetBytes("Hello from the Ouinet testbed origin!\n")),
            ["/news.html"] = ("text/html; charset=utf-8", Encoding.UTF8.GetBytes(
                "<!doctype html><title>Testbed news</title><h1>Today's news</h1>" +
                "<p>This page was signed by the testbed's injector. If a client whose origin and injector are blocked shows it, " +
                "it came from another client through the distributed cache.</p>\n")),
            ["/big.bin"] = ("application/octet-stream", big),
        };
        _accept = Task.Run(AcceptLoopAsync);
    }

    public IPEndPoint EndPoint { get; }

    public IEnumerable<string> Paths => _pages.Keys;

    /// <summary>Requests served so far.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    public string Url(string path) => $"http://{HostName}:{EndPoint.Port.ToString(CultureInfo.InvariantCulture)}{path}";

    public static TestbedOrigin Start()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(64);
        return new TestbedOrigin(listener);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }
                continue;
            }
            _ = Task.Run(() => ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        await using var reader = HttpMessageReader.Create(stream, leaveOpen: true);
        var output = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        try
        {
            while (await reader.ReadRequestHeadAsync(_stop.Token) is { } head)
            {
                var body = reader.ReadRequestBody(head);
                while ((await body.ReadAsync(_stop.Token)).Kind != HttpBodyPartKind.End)
                {
                }
                Interlocked.Increment(ref _requests);
                var path = head.Target.StartsWith('/') ? head.Target : Uri.TryCreate(head.Target, UriKind.Absolute, out var u) ? u.AbsolutePath : "/";
                var found = _pages.TryGetValue(path.Split('?')[0], out var page);
                var response = new HttpResponseHead(found ? 200 : 404);
                var bytes = found ? page.Body : Encoding.UTF8.GetBytes("Not found\n");
                response.Fields.Add("Content-Type", found ? page.Type : "text/plain; charset=utf-8");
                response.Fields.Add("Cache-Control", "public, max-age=600");
                response.Fields.Add("Date", DateTimeOffset.UtcNow.ToString("r", CultureInfo.InvariantCulture));
                response.Fields.Add("Content-Length", bytes.Length.ToString(CultureInfo.InvariantCulture));
                HttpWriter.WriteResponseHead(output, response);
                if (head.Method != "HEAD")
                {
                    await output.WriteAsync(bytes, _stop.Token);
                }
                await output.FlushAsync(_stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or HttpParseException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        await output.CompleteAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accept;
        _stop.Dispose();
    }
}
