using System.Threading.Channels;

namespace Ouinet.Overlay;

/// <summary>
/// A name bound to this program (<c>irm bind process … name X</c>): flows allocated to the name arrive here, spread
/// across every acceptor bound to it by the name's load-balancing policy. Shaped like <c>QuicListener</c>.
/// </summary>
public sealed class FlowAcceptor : IAsyncDisposable
{
    /// <summary>Incoming flows waiting for <see cref="AcceptAsync"/>; more are refused.</summary>
    public const int Backlog = 64;

    private readonly OverlayNode _node;
    private readonly Channel<Flow> _queue = Channel.CreateBounded<Flow>(new BoundedChannelOptions(Backlog) { FullMode = BoundedChannelFullMode.Wait });

    internal FlowAcceptor(OverlayNode node, string name, Action<Flow>? handler)
    {
        _node = node;
        Name = name;
        Handler = handler;
    }

    public string Name { get; }

    internal Action<Flow>? Handler { get; }

    internal int Queued => _queue.Reader.Count;

    internal bool TryOffer(Flow flow)
    {
        if (Handler is { } handler)
        {
            handler(flow);
            return true;
        }
        return _queue.Writer.TryWrite(flow);
    }

    /// <summary>The next flow allocated to <see cref="Name"/> (<c>flow_accept</c>); the flow's <see cref="Flow.Qos"/> is what the peer asked for.</summary>
    public ValueTask<Flow> AcceptAsync(CancellationToken cancellationToken = default) => _queue.Reader.ReadAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _node.Unbind(this);
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out var flow))
        {
            await flow.DisposeAsync().ConfigureAwait(false);
        }
    }
}
