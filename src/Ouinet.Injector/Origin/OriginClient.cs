using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Ouinet.Http;

namespace Ouinet.Injector.Origin;

/// <summary>
/// An HTTP/1.1 client for origins on our own codec: no automatic decompression, no redirects, no cookies; every
/// resolved address checked against <see cref="TargetAddressPolicy"/> (unless private targets are allowed) and the
/// connection made to a checked address; a bounded connect phase and idle timeout; TLS validated against the system
/// store plus optional extra CAs, with SNI; keep-alive connections pooled per (scheme, host, port). Thread-safe.
/// Failures are <see cref="OriginException"/>s saying who failed; the caller's cancellation propagates as is.
/// </summary>
public sealed class OriginClient : IAsyncDisposable
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");

    private readonly OriginClientOptions _options;
    private readonly Dictionary<OriginKey, Stack<OriginConnection>> _idle = [];
    private readonly Lock _lock = new();
    private bool _disposed;

    public OriginClient(OriginClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"Invalid origin client options: {string.Join("; ", errors)}.", nameof(options));
        }
        _options = options;
    }

    public OriginClientOptions Options => _options;

    /// <summary>
    /// A plain TCP connection to <paramref name="host"/>:<paramref name="port"/> (a CONNECT tunnel), after the same
    /// resolution and address checks as requests. The stream owns the socket.
    /// </summary>
    public async Task<NetworkStream> ConnectTunnelAsync(string host, int port, CancellationToken cancellationToken)
    {
        using var timeout = new IdleTimeout(_options.ConnectTimeout, _options.TimeProvider, cancellationToken);
        var socket = await ConnectSocketAsync(host, port, timeout, cancellationToken);
        return new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>
    /// Sends <paramref name="request"/> (on a pooled connection when one is idle) and returns the final response head
    /// with its body reader; interim 1xx responses are skipped. A pooled connection found dead before any response
    /// byte is replaced once for requests without a body.
    /// </summary>
    public async Task<OriginResponse> SendAsync(OriginRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var key = new OriginKey(request.UseTls, request.Host.ToLowerInvariant(), request.Port);
        while (true)
        {
            var connection = TakeIdle(key) ?? await ConnectAsync(key, cancellationToken);
            try
            {
                return await ExchangeAsync(connection, request, cancellationToken);
            }
            catch (Exception e) when (connection.IsReused && request.IsRetryable && IsDeadConnection(e) && !cancellationToken.IsCancellationRequested)
            {
                // The origin closed this idle connection while it sat in the pool: try a fresh one.
                await connection.DisposeAsync();
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<OriginConnection> all;
        lock (_lock)
        {
            _disposed = true;
            all = [.. _idle.Values.SelectMany(s => s)];
            _idle.Clear();
        }
        foreach (var connection in all)
        {
            await connection.DisposeAsync();
        }
    }

    internal async ValueTask ReturnAsync(OriginConnection connection)
    {
        connection.IsReused = true;
        connection.IdleSince = _options.TimeProvider.GetTimestamp();
        lock (_lock)
        {
            if (!_disposed)
            {
                if (!_idle.TryGetValue(connection.Key, out var stack))
                {
                    _idle[connection.Key] = stack = new Stack<OriginConnection>();
                }
                if (stack.Count < _options.MaxIdleConnectionsPerOrigin)
                {
                    stack.Push(connection);
                    return;
                }
            }
        }
        await connection.DisposeAsync();
    }

    private static bool IsDeadConnection(Exception e) =>
        e is OriginException { Error: OriginError.ConnectionClosed };

    private async Task<OriginResponse> ExchangeAsync(OriginConnection connection, OriginRequest request, CancellationToken cancellationToken)
    {
        using var idle = new IdleTimeout(_options.IdleTimeout, _options.TimeProvider, cancellationToken);
        connection.Progress.OnProgress = () =>
        {
            idle.Reset();
            request.OnProgress?.Invoke();
        };
        try
        {
            HttpWriter.WriteRequestHead(connection.Writer, request.Head);
            if (request.WriteBody is { } writeBody)
            {
                await writeBody(connection.Writer, idle.Token);
            }
            await connection.Writer.FlushAsync(idle.Token);
            HttpResponseHead head;
            while (true)
            {
                head = await connection.Reader.ReadResponseHeadAsync(idle.Token);
                if (head.StatusCode == 101)
                {
                    throw new OriginException(OriginError.BadResponse, "The origin switched protocols although no upgrade was asked for.");
                }
                if (head.StatusCode >= 200)
                {
                    break;
                }
            }
            var body = connection.Reader.ReadResponseBody(head, request.Head.Method);
            var keepAlive = head.Version == HttpProtocolVersion.Http11
                && body.Framing != BodyFraming.UntilClose
                && !HasCloseToken(head.Fields)
                && !HasCloseToken(request.Head.Fields);
            connection.Progress.OnProgress = request.OnProgress;
            return new OriginResponse(this, connection, head, body, keepAlive);
        }
        catch (HttpParseException e) when (e.Error == HttpParseError.UnexpectedEndOfStream)
        {
            throw new OriginException(OriginError.ConnectionClosed, "The origin closed the connection before its response head.", e);
        }
        catch (HttpParseException e)
        {
            throw new OriginException(OriginError.BadResponse, $"The origin's response is not valid HTTP: {e.Message}", e);
        }
        catch (OperationCanceledException e) when (idle.HasTimedOut)
        {
            throw new OriginException(OriginError.Timeout, $"The origin sent nothing for {_options.IdleTimeout.TotalSeconds:0.#} s.", e);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException && !cancellationToken.IsCancellationRequested)
        {
            throw new OriginException(OriginError.ConnectionClosed, $"The origin connection broke: {e.Message}", e);
        }
    }

    internal static bool HasCloseToken(HttpFields fields)
    {
        foreach (var value in fields.GetAll("Connection"))
        {
            foreach (var token in value.Split(','))
            {
                if (token.Trim().Equals("close", StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private OriginConnection? TakeIdle(OriginKey key)
    {
        var now = _options.TimeProvider.GetTimestamp();
        List<OriginConnection>? stale = null;
        OriginConnection? found = null;
        lock (_lock)
        {
            if (_idle.TryGetValue(key, out var stack))
            {
                while (stack.TryPop(out var candidate))
                {
                    if (_options.TimeProvider.GetElapsedTime(candidate.IdleSince, now) < _options.PooledConnectionLifetime && candidate.IsIdleAndOpen())
                    {
                        found = candidate;
                        break;
                    }
                    (stale ??= []).Add(candidate);
                }
            }
        }
        if (stale is not null)
        {
            foreach (var connection in stale)
            {
                _ = connection.DisposeAsync().AsTask();
            }
        }
        return found;
    }

    private async Task<OriginConnection> ConnectAsync(OriginKey key, CancellationToken cancellationToken)
    {
        using var timeout = new IdleTimeout(_options.ConnectTimeout, _options.TimeProvider, cancellationToken);
        var socket = await ConnectSocketAsync(key.Host, key.Port, timeout, cancellationToken);
        Stream transport = new NetworkStream(socket, ownsSocket: true);
        if (key.Tls)
        {
            var tls = new SslStream(transport, leaveInnerStreamOpen: false);
            try
            {
                await tls.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions
                    {
                        TargetHost = key.Host,
                        RemoteCertificateValidationCallback = ValidateCertificate,
                        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                        ApplicationProtocols = [SslApplicationProtocol.Http11],
                    },
                    timeout.Token);
            }
            catch (OperationCanceledException e) when (timeout.HasTimedOut)
            {
                await tls.DisposeAsync();
                throw new OriginException(OriginError.ConnectTimeout, $"The TLS handshake with {key.Host}:{key.Port} took too long.", e);
            }
            catch (Exception e) when (e is AuthenticationException or IOException or SocketException && !cancellationToken.IsCancellationRequested)
            {
                await tls.DisposeAsync();
                throw new OriginException(OriginError.TlsFailure, $"TLS with {key.Host}:{key.Port} failed: {e.Message}", e);
            }
            catch
            {
                await tls.DisposeAsync();
                throw;
            }
            transport = tls;
        }
        return new OriginConnection(key, socket, transport, _options.Limits);
    }

    /// <summary>Resolves, keeps the allowed addresses, and connects to the first that accepts.</summary>
    private async Task<Socket> ConnectSocketAsync(string host, int port, IdleTimeout timeout, CancellationToken cancellationToken)
    {
        IReadOnlyList<IPEndPoint> endpoints;
        try
        {
            endpoints = await _options.Resolver.ResolveAsync(host, port, timeout.Token);
        }
        catch (OperationCanceledException e) when (timeout.HasTimedOut)
        {
            throw new OriginException(OriginError.ConnectTimeout, $"Resolving {host} took too long.", e);
        }
        catch (SocketException e)
        {
            throw new OriginException(OriginError.DnsFailure, $"Could not resolve {host}: {e.Message}", e);
        }
        if (endpoints.Count == 0)
        {
            throw new OriginException(OriginError.DnsFailure, $"{host} has no address.");
        }
        var allowed = _options.AllowPrivateTargets ? endpoints : [.. endpoints.Where(e => TargetAddressPolicy.IsPublic(e.Address))];
        if (allowed.Count == 0)
        {
            throw new OriginException(OriginError.TargetNotAllowed, $"{host} resolves only to private, loopback or otherwise non-public addresses.");
        }
        SocketException? last = null;
        foreach (var endpoint in allowed)
        {
            var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(endpoint, timeout.Token);
                return socket;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch (OperationCanceledException e) when (timeout.HasTimedOut)
            {
                socket.Dispose();
                throw new OriginException(OriginError.ConnectTimeout, $"Connecting to {host}:{port} took too long.", e);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw new OriginException(OriginError.ConnectFailed, $"Could not connect to {host}:{port}: {last?.Message}", last);
    }

    private bool ValidateCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }
        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null || _options.ExtraTrustedCertificates.Count == 0)
        {
            return false;
        }
        // The system store did not vouch for it; try the extra CAs alone (name already checked: no NameMismatch).
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        custom.ChainPolicy.CustomTrustStore.AddRange(_options.ExtraTrustedCertificates.ToArray());
        custom.ChainPolicy.ApplicationPolicy.Add(ServerAuth);
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements.Skip(1))
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }
        using var leaf = certificate as X509Certificate2 is { } c2 ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return custom.Build(leaf ?? (X509Certificate2)certificate);
    }
}
