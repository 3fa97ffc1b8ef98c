namespace Ouinet.Injector;

/// <summary>
/// A connection handed over as a byte stream by a transport that is not TCP (an Ouroboros-style overlay flow): the
/// stream, and how to half-close it (the end of one direction, as TCP's <c>Shutdown(Send)</c>, for CONNECT tunnels).
/// </summary>
public interface IInjectorStream
{
    Stream Stream { get; }

    ValueTask CompleteWritesAsync();
}

/// <summary>A listener that accepts <see cref="IInjectorStream"/>s (see <see cref="InjectorOptions.StreamListeners"/>).</summary>
public interface IInjectorStreamListener
{
    /// <summary>How it is shown in the log, e.g. <c>overlay:injector</c>.</summary>
    string Name { get; }

    /// <summary>Connections run TLS with the injector's certificate over the stream (as <c>listen-on-tcp-tls</c>).</summary>
    bool Tls { get; }

    ValueTask<IInjectorStream> AcceptAsync(CancellationToken cancellationToken);
}
