namespace Ouinet.Overlay.Tools;

/// <summary>oping's server side (<c>oping -l</c>) and oecho: every message goes back as it came (pings marked as replies).</summary>
public static class EchoServer
{
    public static async Task RunAsync(FlowAcceptor acceptor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(acceptor);
        var sessions = new List<Task>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var flow = await acceptor.AcceptAsync(cancellationToken).ConfigureAwait(false);
                sessions.RemoveAll(t => t.IsCompleted);
                sessions.Add(ServeAsync(flow, cancellationToken));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or System.Threading.Channels.ChannelClosedException)
        {
        }
        await Task.WhenAll(sessions).ConfigureAwait(false);
    }

    private static async Task ServeAsync(Flow flow, CancellationToken cancellationToken)
    {
        await using (flow.ConfigureAwait(false))
        {
            try
            {
                while (true)
                {
                    var m = await flow.ReadMessageAsync(cancellationToken).ConfigureAwait(false);
                    if (PingMessage.TryRead(m, out var type, out _, out _) && type == PingMessage.EchoRequest)
                    {
                        PingMessage.MakeReply(m);
                    }
                    await flow.WriteAsync(m, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is FlowException or OperationCanceledException)
            {
                // The client went away (EFLOWPEER) or the node stops.
            }
        }
    }
}
