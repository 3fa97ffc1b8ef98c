using System.Net;
using Microsoft.Extensions.Logging;
using Ouinet.Overlay.Simulation;

namespace Ouinet.Overlay;

/// <summary>What a node runs on: its clock, randomness, sockets and logging (tests swap in simulated ones).</summary>
public sealed record OverlayNodeOptions
{
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Seed for addresses, EIDs, sequence numbers and DHT ids; null: unpredictable.</summary>
    public int? Seed { get; init; }

    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Opens the UDP shim's socket; default: a real UDP socket.</summary>
    public Func<IPEndPoint, IDatagramPort> PortFactory { get; init; } = UdpDatagramPort.Bind;

    /// <summary>Longest a flow allocation may take (directory lookup, flow request and its retries).</summary>
    public TimeSpan AllocTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Where built-in programs (<c>[name.X] prog = ["oping"]</c>) print.</summary>
    public TextWriter? ProgramOutput { get; init; }
}
