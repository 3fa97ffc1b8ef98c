using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using Ouinet.Http;
using Ouinet.Injector.Origin;

namespace Ouinet.Injector;

internal sealed partial class InjectorConnection
{
    /// <summary>Unflushed bytes that make a copy loop flush: big enough to batch small parts, small enough to stream.</summary>
    private const int FlushThreshold = 64 * 1024;

    /// <summary>
    /// A plain proxy request: forwarded as a standard forward proxy would (any method, absolute-form target made
    /// origin-form, <c>Host</c> from the target, hop-by-hop fields removed), bodies streamed both ways, nothing signed
    /// and nothing Ouinet-specific added.
    /// </summary>
    private async Task<bool> ProxyAsync(HttpRequestHead head, HttpBodyReader requestBody, bool keepAlive, IdleTimeout idle)
    {
        if (!TargetUri.TryParse(head.Target, out var target))
        {
            Log.Refused(_logger, 400, "not an absolute http(s) target");
            await WriteResponseAsync(400, null, "Not a proxy request: the target must be an absolute http:// or https:// URI without user info.", close: true, _server.Abort);
            return false;
        }
        var fields = HopByHop.Strip(head.Fields, "Host", "Expect", "Content-Length");
        var forward = new HttpRequestHead(head.Method, target.PathAndQuery, HttpProtocolVersion.Http11, new HttpFields());
        forward.Fields.Add("Host", target.Authority);
        foreach (var field in fields)
        {
            forward.Fields.Add(field.Name, field.Value);
        }
        Func<PipeWriter, CancellationToken, ValueTask>? writeBody = null;
        if (requestBody.Framing == BodyFraming.ContentLength)
        {
            forward.Fields.Add("Content-Length", requestBody.ContentLength!.Value.ToString(CultureInfo.InvariantCulture));
        }
        else if (requestBody.Framing == BodyFraming.Chunked)
        {
            forward.Fields.Add("Transfer-Encoding", "chunked");
        }
        if (!requestBody.IsCompleted)
        {
            var expectContinue = head.Fields.GetAll("Expect").Any(v => v.Trim().Equals("100-continue", StringComparison.OrdinalIgnoreCase));
            writeBody = (writer, ct) => CopyRequestBodyAsync(requestBody, writer, expectContinue, ct);
        }

        OriginResponse response;
        try
        {
            response = await Origins.SendAsync(
                new OriginRequest { Host = target.Host, Port = target.Port, UseTls = target.Tls, Head = forward, WriteBody = writeBody, OnProgress = idle.Reset },
                idle.Token);
        }
        catch (OriginException e)
        {
            // A request body not read to its end leaves the connection unusable.
            return await OriginFailedAsync(e, keepAlive && requestBody.IsCompleted, idle);
        }
        catch (OperationCanceledException e) when (idle.HasTimedOut)
        {
            return await OriginFailedAsync(new OriginException(OriginError.Timeout, $"Nothing moved for {_options.IdleTimeout.TotalSeconds:0.#} s.", e), keepAlive && requestBody.IsCompleted, idle);
        }
        catch (ClientBodyException e)
        {
            throw e.InnerException!;
        }
        await using (response)
        {
            var body = response.Body;
            var noBody = head.Method == "HEAD" || response.Head.StatusCode is < 200 or 204 or 304;
            var chunked = !noBody && body.Framing is BodyFraming.Chunked or BodyFraming.UntilClose && head.Version == HttpProtocolVersion.Http11;
            var close = !keepAlive || !requestBody.IsCompleted || (!noBody && body.Framing == BodyFraming.UntilClose && !chunked);
            var answer = new HttpResponseHead(response.Head.StatusCode, response.Head.Reason, HttpProtocolVersion.Http11,
                HopByHop.Strip(response.Head.Fields, noBody ? [] : ["Content-Length"]));
            if (!noBody && body.Framing == BodyFraming.ContentLength)
            {
                answer.Fields.Add("Content-Length", body.ContentLength!.Value.ToString(CultureInfo.InvariantCulture));
            }
            else if (chunked)
            {
                answer.Fields.Add("Transfer-Encoding", "chunked");
            }
            if (close)
            {
                answer.Fields.Add("Connection", "close");
            }
            else if (head.Version == HttpProtocolVersion.Http10)
            {
                answer.Fields.Add("Connection", "keep-alive");
            }
            HttpWriter.WriteResponseHead(_output, answer);
            try
            {
                if (!noBody)
                {
                    await CopyResponseBodyAsync(body, chunked, idle.Token);
                }
                else
                {
                    await FlushAsync(idle.Token);
                }
            }
            catch (Exception e) when (e is HttpParseException or IOException or OperationCanceledException or System.Net.Sockets.SocketException && !_server.Abort.IsCancellationRequested)
            {
                Log.TransferAborted(_logger, idle.HasTimedOut ? "idle timeout" : e.Message);
                return false;
            }
            return !close;
        }
    }

    private async ValueTask CopyRequestBodyAsync(HttpBodyReader body, PipeWriter writer, bool expectContinue, CancellationToken cancellationToken)
    {
        if (expectContinue)
        {
            // We forward no Expect; the client waits for this before sending its body.
            _output.Write("HTTP/1.1 100 Continue\r\n\r\n"u8);
            await FlushAsync(cancellationToken);
        }
        var chunked = body.Framing == BodyFraming.Chunked;
        while (true)
        {
            HttpBodyPart part;
            try
            {
                part = await body.ReadAsync(cancellationToken);
            }
            catch (Exception e) when (e is HttpParseException or IOException)
            {
                throw new ClientBodyException(e);
            }
            if (part.Kind == HttpBodyPartKind.End)
            {
                if (chunked)
                {
                    HttpWriter.WriteLastChunk(writer);
                }
                return;
            }
            if (part.Kind != HttpBodyPartKind.Data || part.Data.IsEmpty)
            {
                continue;
            }
            if (chunked)
            {
                HttpWriter.WriteChunkHeader(writer, part.Data.Length);
            }
            foreach (var segment in part.Data)
            {
                writer.Write(segment.Span);
            }
            if (chunked)
            {
                HttpWriter.WriteChunkEnd(writer);
            }
            if (writer.UnflushedBytes >= FlushThreshold)
            {
                await writer.FlushAsync(cancellationToken);
            }
        }
    }

    private async ValueTask CopyResponseBodyAsync(HttpBodyReader body, bool chunked, CancellationToken cancellationToken)
    {
        while (true)
        {
            var part = await body.ReadAsync(cancellationToken);
            if (part.Kind == HttpBodyPartKind.End)
            {
                if (chunked)
                {
                    HttpWriter.WriteLastChunk(_output);
                }
                await FlushAsync(cancellationToken);
                return;
            }
            if (part.Kind != HttpBodyPartKind.Data || part.Data.IsEmpty)
            {
                continue;
            }
            if (chunked)
            {
                HttpWriter.WriteChunkHeader(_output, part.Data.Length);
            }
            foreach (var segment in part.Data)
            {
                _output.Write(segment.Span);
            }
            if (chunked)
            {
                HttpWriter.WriteChunkEnd(_output);
            }
            if (_output.UnflushedBytes >= FlushThreshold)
            {
                await FlushAsync(cancellationToken);
            }
        }
    }

    /// <summary>Carries a failure reading the client's request body through the origin client, which must not blame the origin for it.</summary>
    private sealed class ClientBodyException(Exception inner) : Exception(inner.Message, inner);
}
