using System.Net;

namespace Ouinet.Dht.Engine;

/// <summary>
/// What the engine needs from the world: a way to send a datagram and a way to be woken up. A real node backs it with
/// the UDP multiplexer and a timer; the simulation with its virtual network and event queue.
/// </summary>
internal interface IDhtHost
{
    /// <summary>Sends one datagram; must not block. UDP semantics: it may be lost.</summary>
    void Send(byte[] datagram, IPEndPoint to);

    /// <summary>Asks for <see cref="DhtEngine.OnTimer"/> to be called at (or soon after) engine time <paramref name="dueMs"/>.</summary>
    void RequestWake(long dueMs);
}
