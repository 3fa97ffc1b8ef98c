using Ouinet.Http;
using Ouinet.Injector.Origin;
using Ouinet.Protocol;
using Ouinet.Protocol.Canonicalization;
using Ouinet.Protocol.Headers;
using Ouinet.Protocol.Streams;

namespace Ouinet.Injector;

internal sealed partial class InjectorConnection
{
    /// <summary>
    /// An injection request: version check, a GET/HEAD for a canonical absolute http(s) URI, the <c>restricted</c>
    /// pattern, then the canonical request to the origin and its canonical response back as a signature stream,
    /// block by block as the origin sends it. Redirects are signed as they are.
    /// </summary>
    private async Task<bool> InjectAsync(HttpRequestHead head, string versionText, bool keepAlive, bool hasBody, IdleTimeout idle)
    {
        var ours = _options.Version;
        if (!ProtocolVersion.TryParse(versionText, out var version))
        {
            return await RefuseAsync(400, InjectorErrorCode.VersionTooLow, $"X-Ouinet-Version \"{versionText}\" is not a version number; this injector speaks {ours}.", false, idle);
        }
        if (version != ours)
        {
            // As Ouinet C++: the client's own version echoed, and the connection closed.
            var code = version < ours ? InjectorErrorCode.VersionTooLow : InjectorErrorCode.VersionTooHigh;
            return await RefuseAsync(400, code, $"This injector speaks protocol {ours}, the client {version}.", false, idle, versionText);
        }
        if (head.Method is not ("GET" or "HEAD"))
        {
            return await BadInjectionAsync($"Only GET and HEAD requests can be injected, not {head.Method}; send others without X-Ouinet-Version to have them proxied.", keepAlive, idle);
        }
        if (hasBody)
        {
            return await BadInjectionAsync("An injection request carries no body.", false, idle);
        }
        var uriError = CanonicalUri.Check(head.Target);
        if (uriError != CanonicalUriError.None || !TargetUri.TryParse(head.Target, out var target))
        {
            return await BadInjectionAsync($"The target must be an absolute http:// or https:// URI in canonical form ({uriError}).", keepAlive, idle);
        }
        if (_server.Restricted is { } restricted && !restricted.IsMatch(head.Target))
        {
            return await RefuseAsync(403, InjectorErrorCode.TargetNotAllowed, "This injector only injects URIs matching its restriction.", keepAlive, idle);
        }

        var request = new OriginRequest
        {
            Host = target.Host,
            Port = target.Port,
            UseTls = target.Tls,
            Head = CanonicalRequest.Create(head.Target, head.Fields, head.Method),
            OnProgress = idle.Reset,
        };
        OriginResponse response;
        try
        {
            response = await Origins.SendAsync(request, idle.Token);
        }
        catch (OriginException e)
        {
            return await OriginFailedAsync(e, keepAlive, idle);
        }
        catch (OperationCanceledException e) when (idle.HasTimedOut)
        {
            return await OriginFailedAsync(new OriginException(OriginError.Timeout, $"Nothing moved for {_options.IdleTimeout.TotalSeconds:0.#} s.", e), keepAlive, idle);
        }
        await using (response)
        {
            if (response.Head.Fields.Contains("Transfer-Encoding") && response.Body.Framing != BodyFraming.Chunked)
            {
                // A transfer coding we cannot undo (e.g. gzip, chunked): what we would sign is not the body.
                return await OriginFailedAsync(new OriginException(OriginError.BadResponse, "The origin used a transfer coding other than chunked."), keepAlive, idle);
            }
            var signing = new ResponseSigningOptions
            {
                Uri = head.Target,
                Injection = new InjectionHeader(_options.InjectionIds.NewId(), _options.TimeProvider.GetUtcNow().ToUnixTimeSeconds()),
                BlockSize = _options.BlockSize,
                Version = ours,
                TimeProvider = _options.TimeProvider,
                RequestMethod = head.Method,
            };
            try
            {
                await ResponseSigner.SignAsync(response.Head, response.Body, _server.Options.SigningKey, signing, _output, idle.Token);
            }
            catch (Exception e) when (e is HttpParseException or IOException or OperationCanceledException or System.Net.Sockets.SocketException && !_server.Abort.IsCancellationRequested)
            {
                // The head is gone already: all we can do is cut the stream, which the client sees as truncated.
                Log.TransferAborted(_logger, idle.HasTimedOut ? "idle timeout" : e.Message);
                return false;
            }
            Log.Injected(_logger, response.Head.StatusCode, signing.Injection.Id, response.Body.BytesRead);
        }
        return keepAlive;
    }

    /// <summary>A 400 for an injection request we cannot serve as asked (no Ouinet error code fits; the text says why).</summary>
    private async Task<bool> BadInjectionAsync(string message, bool keepAlive, IdleTimeout idle)
    {
        Log.Refused(_logger, 400, message);
        var fields = new HttpFields();
        fields.Add(OuinetHeaders.Version, _options.Version.ToString());
        await WriteResponseAsync(400, fields, message, !keepAlive, _server.Abort);
        return keepAlive;
    }
}
