using Ouinet.Injector;
using Ouinet.Overlay;

namespace Ouinet.Cli.Commands;

/// <summary>
/// The injector's <c>listen-on-overlay NAME</c>: flows allocated to NAME (reliable, <c>qos data</c>) become byte
/// streams (<see cref="FlowStream"/>) that the injector serves exactly as TCP connections, inside TLS.
/// </summary>
internal sealed class OverlayInjectorListener(FlowAcceptor acceptor, bool tls = true) : IInjectorStreamListener
{
    public string Name => $"overlay:{acceptor.Name}";

    public bool Tls => tls;

    public async ValueTask<IInjectorStream> AcceptAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var flow = await acceptor.AcceptAsync(cancellationToken);
            if (flow.Qos.IsReliable)
            {
                return new FlowConnection(new FlowStream(flow));
            }
            // HTTP needs every byte in order: an unreliable flow cannot carry it.
            await flow.DisposeAsync();
        }
    }

    private sealed class FlowConnection(FlowStream stream) : IInjectorStream
    {
        public Stream Stream => stream;

        public ValueTask CompleteWritesAsync() => stream.CompleteWritesAsync();
    }
}
