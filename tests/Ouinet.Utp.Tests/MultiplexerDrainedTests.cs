using System.Net;
using Ouinet.Net;

namespace Ouinet.Utp.Tests;

/// <summary>
/// The <c>drained</c> callback this project added to <see cref="UdpMultiplexer"/> (uTP sends one ACK per burst on it).
/// Tested here, next to its only user, so Ouinet.Net's own tests stay untouched by this branch.
/// </summary>
public class MultiplexerDrainedTests
{
    [Fact(Timeout = 10000)]
    public async Task Drained_RunsAfterTheLastWaitingDatagramWasHandled()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var multiplexer = UdpMultiplexer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var handled = 0;
        var allHandledThenDrained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        multiplexer.Register(_ => true, (_, _) => handled++, () =>
        {
            if (handled == 50)
            {
                allHandledThenDrained.TrySetResult();
            }
        });
        multiplexer.Start();
        await using var peer = UdpDatagramSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        for (var i = 0; i < 50; i++)
        {
            await peer.SendAsync(new byte[] { (byte)i, 1, 2 }, multiplexer.LocalEndPoint, ct);
        }
        await allHandledThenDrained.Task.WaitAsync(ct);
    }

    [Fact(Timeout = 10000)]
    public async Task AFailingDrainedCallback_DoesNotStopTheLoop()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var multiplexer = UdpMultiplexer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var count = 0;
        multiplexer.Register(_ => true, (_, _) =>
        {
            if (++count == 2)
            {
                second.TrySetResult();
            }
        }, () => throw new InvalidOperationException("consumer bug"));
        multiplexer.Start();
        await using var peer = UdpDatagramSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await peer.SendAsync(new byte[] { 1 }, multiplexer.LocalEndPoint, ct);
        await peer.SendAsync(new byte[] { 2 }, multiplexer.LocalEndPoint, ct);
        await second.Task.WaitAsync(ct);
    }
}
