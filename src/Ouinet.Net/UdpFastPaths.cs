namespace Ouinet.Net;

/// <summary>
/// The Linux fast paths a <see cref="UdpDatagramSocket"/> may use. Each is also checked against what the system
/// offers (<see cref="UdpDatagramSocket.FastPaths"/> tells what a socket got); tests and measurements turn them off
/// to exercise the fallbacks.
/// </summary>
[Flags]
internal enum UdpFastPaths
{
    /// <summary>Only .NET's socket API, as on other systems.</summary>
    None = 0,

    /// <summary>Non-blocking sends on the calling thread, <c>sendmmsg</c> batches, and the multiplexer's receive thread (<c>recvmmsg</c>).</summary>
    Native = 1,

    /// <summary>A run of equal-size datagrams to one peer in one send (<c>UDP_SEGMENT</c>, Linux 4.18). Needs <see cref="Native"/>.</summary>
    Segmentation = 2,

    /// <summary>The receive thread takes runs of equal-size datagrams as one buffer and cuts them up (<c>UDP_GRO</c>, Linux 5.0). Needs <see cref="Native"/>.</summary>
    Coalescing = 4,

    All = Native | Segmentation | Coalescing,
}

internal static class UdpFastPathDefaults
{
    /// <summary>
    /// What sockets use unless told otherwise: everything, less what the environment turns off for measurements:
    /// <c>OUINET_UDP_MANAGED=1</c> (.NET's socket only), <c>OUINET_UDP_GSO=0</c>, <c>OUINET_UDP_GRO=0</c>.
    /// </summary>
    public static readonly UdpFastPaths Value = FromEnvironment();

    private static UdpFastPaths FromEnvironment()
    {
        if (Environment.GetEnvironmentVariable("OUINET_UDP_MANAGED") == "1")
        {
            return UdpFastPaths.None;
        }
        var paths = UdpFastPaths.All;
        if (Environment.GetEnvironmentVariable("OUINET_UDP_GSO") == "0")
        {
            paths &= ~UdpFastPaths.Segmentation;
        }
        if (Environment.GetEnvironmentVariable("OUINET_UDP_GRO") == "0")
        {
            paths &= ~UdpFastPaths.Coalescing;
        }
        return paths;
    }
}
