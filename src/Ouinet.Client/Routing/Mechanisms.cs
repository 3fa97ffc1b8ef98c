using System.Buffers;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Ouinet.Cache.Policy;
using Ouinet.Client.Caching;
using Ouinet.Client.Responses;
using Ouinet.Client.Upstream;
using Ouinet.Http;
using Ouinet.Injector;
using Ouinet.Injector.Origin;
using Ouinet.Protocol;
using Ouinet.Protocol.Keys;
using Ouinet.Protocol.Streams;

namespace Ouinet.Client.Routing;

/// <summary>Straight to the origin: the request as a standard forward proxy sends it (origin-form, <c>Host</c> from the target, hop-by-hop and Ouinet fields removed).</summary>
internal sealed class OriginMechanism(OriginClient origins) : IMechanism
{
    public Mechanism Kind => Mechanism.Origin;

    public async Task<Answer> TryAsync(RouteRequest request, CancellationToken cancellationToken)
    {
        var head = new HttpRequestHead(request.Head.Method, request.Target.PathAndQuery, HttpProtocolVersion.Http11);
        head.Fields.Add("Host", request.Target.Authority);
        ForwardFields.CopyTo(request, head);
        Func<System.IO.Pipelines.PipeWriter, CancellationToken, ValueTask>? writeBody = request.Body is { } body
            ? (writer, _) =>
            {
                writer.Write(body.Span);
                return ValueTask.CompletedTask;
            }
            : null;
        var response = await origins.SendAsync(
            new OriginRequest { Host = request.Target.Host, Port = request.Target.Port, UseTls = request.Target.Tls, Head = head, WriteBody = writeBody, OnProgress = request.OnProgress },
            cancellationToken);
        return new RelayedAnswer(Mechanism.Origin, response.Head, response.Body, response);
    }
}

/// <summary>The injector as a plain proxy (no <c>X-Ouinet-Version</c>): for what must not be cached or injected.</summary>
internal sealed class ProxyMechanism(InjectorConnector injector) : IMechanism
{
    public Mechanism Kind => Mechanism.Proxy;

    public async Task<Answer> TryAsync(RouteRequest request, CancellationToken cancellationToken)
    {
        var head = new HttpRequestHead(request.Head.Method, request.Uri, HttpProtocolVersion.Http11);
        head.Fields.Add("Host", request.Target.Authority);
        ForwardFields.CopyTo(request, head);
        var response = await injector.SendAsync(head, request.Body, request.OnProgress, cancellationToken);
        var error = response.Head.Fields.Get(OuinetHeaders.Error);
        if (error is not null || response.Head.StatusCode == 407)
        {
            await response.DisposeAsync();
            throw new MechanismFailedException($"the injector answered {response.Head.StatusCode} {error ?? "(credentials refused)"}");
        }
        return new RelayedAnswer(Mechanism.Proxy, response.Head, response.Body, response);
    }
}

/// <summary>
/// Injection: the canonical request (<see cref="Protocol.Canonicalization.CanonicalRequest"/>, <c>X-Ouinet-Version</c>) to the
/// injector; its signed response is verified while it streams and stored when <see cref="ResponsePolicy"/> allows.
/// An unsigned answer (an injector error) or a head that does not verify is a failure of this mechanism. A HEAD (and a
/// 204/304) is a signed head alone, verified by <see cref="SignedHead"/> and never stored.
/// </summary>
internal sealed class InjectorMechanism(InjectorConnector injector, InjectorPublicKey key, LocalCache? cache, bool cachePrivate, ILogger logger, Action? onStored = null) : IMechanism
{
    public Mechanism Kind => Mechanism.Injector;

    public async Task<Answer> TryAsync(RouteRequest request, CancellationToken cancellationToken)
    {
        if (request.CanonicalUri is not { } uri)
        {
            throw new MechanismFailedException("the URI has no canonical form to inject");
        }
        var method = request.Head.Method;
        var head = Protocol.Canonicalization.CanonicalRequest.Create(uri, request.Head.Fields, method);
        head.Target = uri;
        head.Fields.Add(OuinetHeaders.Version, ProtocolVersion.Current.ToString());
        var response = await injector.SendAsync(head, null, request.OnProgress, cancellationToken);
        var options = new SignedResponseOptions { ExpectedUri = uri };
        try
        {
            if (method == "HEAD" || response.Body.Framing == BodyFraming.None)
            {
                var verified = SignedHead.Verify(response.Head, key, options);
                var browserHead = BrowserHead.FromSigned(verified, Mechanism.Injector);
                if (method != "HEAD")
                {
                    browserHead.Fields.Set("Content-Length", "0");
                }
                return new HeadOnlyAnswer(browserHead, response, Mechanism.Injector);
            }
            var reader = await SignedResponseReader.OpenAsync(response.Head, response.Body, key, options, cancellationToken);
            var decision = cache is null ? StoreDecision.RequestNotEligible : ResponsePolicy.Decide(request.Head, uri, reader.Head, cachePrivate);
            return new InjectedAnswer(reader, response, cache?.Store, decision, request.Group ?? uri, logger, Mechanism.Injector, onStored);
        }
        catch (OuinetVerificationException e)
        {
            await response.DisposeAsync();
            throw new MechanismFailedException(e.Error == OuinetVerificationError.Unsigned
                ? $"the injector answered {response.Head.StatusCode} {response.Head.Fields.Get(OuinetHeaders.Error) ?? "unsigned"}"
                : $"the injector's response failed verification ({e.Code}): {e.Message}", e);
        }
        catch
        {
            await response.DisposeAsync();
            throw;
        }
    }
}

/// <summary>
/// The local cache: a fresh entry (<see cref="Mechanism.LocalCache"/>), or any usable one as the last resort
/// (<see cref="Mechanism.StaleCache"/>, with <c>X-Ouinet-Warning</c> and an RFC 7234 <c>Warning</c>).
/// </summary>
internal sealed class CacheMechanism(LocalCache cache, bool stale) : IMechanism
{
    public const string StaleWarning = "Response is stale";
    public const string RevalidationWarning = "Revalidation failed";

    public Mechanism Kind => stale ? Mechanism.StaleCache : Mechanism.LocalCache;

    public async Task<Answer> TryAsync(RouteRequest request, CancellationToken cancellationToken)
    {
        if (request.Hit is not { } hit)
        {
            throw new MechanismFailedException("nothing stored for this URI");
        }
        if (!stale && hit.Freshness.State != EntryState.Fresh)
        {
            throw new MechanismFailedException($"the stored entry is not fresh: {hit.Freshness.Reason}");
        }
        var entry = await cache.LeaseAsync(hit, cancellationToken)
            ?? throw new MechanismFailedException("the stored entry vanished or did not verify");
        List<HttpField> fields = [];
        if (stale)
        {
            // A fresh entry used only because the request insisted on revalidation is "revalidation failed" (111), else stale (110).
            var (code, text) = hit.Freshness.State == EntryState.Fresh ? (111, RevalidationWarning) : (110, StaleWarning);
            fields.Add(new HttpField(OuinetHeaders.Warning, $"{text}: no other mechanism could fetch it ({hit.Freshness.Reason})"));
            fields.Add(new HttpField("Warning", string.Create(CultureInfo.InvariantCulture, $"{code} Ouinet \"{text}\"")));
        }
        return new CachedAnswer(entry, Kind, fields);
    }
}

/// <summary>What of the browser's request goes upstream.</summary>
internal static class ForwardFields
{
    /// <summary>
    /// Copies the browser's fields minus hop-by-hop and proxy fields, every <c>X-Ouinet-*</c> field (<c>X-Ouinet-Private</c>
    /// and <c>X-Ouinet-Group</c> are for this client only), <c>Host</c> and <c>Expect</c>; adds <c>Content-Length</c> for a body.
    /// </summary>
    public static void CopyTo(RouteRequest request, HttpRequestHead head)
    {
        foreach (var field in HopByHop.Strip(request.Head.Fields, "Host", "Expect", "Content-Length"))
        {
            head.Fields.Add(field.Name, field.Value);
        }
        if (request.Body is { } body)
        {
            head.Fields.Add("Content-Length", body.Length.ToString(CultureInfo.InvariantCulture));
        }
    }
}
