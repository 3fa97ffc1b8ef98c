using System.Globalization;
using System.Net;
using System.Text;
using Ouinet.Http;
using Ouinet.Protocol;
using Ouinet.Utp;

namespace Ouinet.Client.Upstream;

/// <summary>
/// The client side of a bridge: a uTP connection to another client, <c>CONNECT</c> (any target is the injector, as in
/// Ouinet C++), a <c>200</c>, and from then on raw bytes to the injector (TLS to it still to run over them).
/// </summary>
internal static class BridgeTunnel
{
    /// <summary>Longest response head a bridge may send.</summary>
    public const int MaxHeadBytes = 8 * 1024;

    /// <summary>The stream to the injector through <paramref name="bridge"/>; throws <see cref="InjectorUnreachableException"/> with the bridge's reason.</summary>
    public static async Task<UtpStream> OpenAsync(UtpSocket utp, IPEndPoint bridge, string target, CancellationToken cancellationToken)
    {
        UtpStream stream;
        try
        {
            stream = await utp.ConnectAsync(bridge, cancellationToken);
        }
        catch (IOException e)
        {
            throw new InjectorUnreachableException($"cannot connect: {e.Message}", e);
        }
        try
        {
            var request = $"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n{OuinetHeaders.Version}: {ProtocolVersion.Current}\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request), cancellationToken);
            var head = await ReadHeadAsync(stream, cancellationToken);
            if (head.StatusCode != 200)
            {
                var why = head.Fields.Get(OuinetHeaders.Error) is { } error ? $" ({error})" : "";
                throw new InjectorUnreachableException($"answered {head.StatusCode.ToString(CultureInfo.InvariantCulture)} {head.Reason}{why}");
            }
            return stream;
        }
        catch (Exception e)
        {
            stream.Abort();
            await stream.DisposeAsync();
            if (e is HttpParseException or IOException)
            {
                throw new InjectorUnreachableException(e.Message, e);
            }
            throw;
        }
    }

    /// <summary>
    /// Reads one response head byte by byte (nothing past its blank line is taken: what follows is the injector's) and
    /// parses it; throws <see cref="HttpParseException"/> for a bad or too long head, <see cref="IOException"/> at an early end.
    /// </summary>
    public static async Task<HttpResponseHead> ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxHeadBytes];
        var length = 0;
        while (length < 4 || !buffer.AsSpan(length - 4, 4).SequenceEqual("\r\n\r\n"u8))
        {
            if (length == buffer.Length)
            {
                throw new HttpParseException(HttpParseError.HeadTooLarge, 502, $"The bridge's response head is longer than {MaxHeadBytes} bytes.");
            }
            if (await stream.ReadAsync(buffer.AsMemory(length, 1), cancellationToken) == 0)
            {
                throw new IOException($"The bridge closed the connection after {length} bytes of its response head.");
            }
            length++;
        }
        await using var reader = HttpMessageReader.Create(new MemoryStream(buffer, 0, length, writable: false));
        return await reader.ReadResponseHeadAsync(cancellationToken);
    }
}
