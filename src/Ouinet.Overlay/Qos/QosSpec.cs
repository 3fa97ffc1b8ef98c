using System.Globalization;

namespace Ouinet.Overlay;

/// <summary>The QoS cubes a unicast layer schedules by (Ouroboros' <c>qos_cube_t</c>).</summary>
public enum QosCube : byte
{
    BestEffort = 0,
    Video = 1,
    Voice = 2,
}

/// <summary>
/// Ouroboros' <c>qosspec_t</c>: what an application asks of a flow. Only <see cref="InOrder"/> (FRCP on),
/// <see cref="Loss"/> (0: retransmission), <see cref="Timeout"/> (peer liveness) change behaviour; delay, bandwidth,
/// availability and max gap pick the cube. <see cref="Ber"/> 0 asks for a CRC, which we never add (as Ouroboros'
/// default build, <c>QOS_DISABLE_CRC</c>).
/// </summary>
public readonly record struct QosSpec(uint Delay, ulong Bandwidth, byte Availability, uint Loss, uint Ber, bool InOrder, uint MaxGap, uint Timeout)
{
    public const uint DefaultPeerTimeout = 120_000;

    public static QosSpec Raw { get; } = new(uint.MaxValue, 0, 0, 1, 1, false, uint.MaxValue, DefaultPeerTimeout);

    public static QosSpec RawNoErrors { get; } = Raw with { Ber = 0 };

    public static QosSpec BestEffort { get; } = new(uint.MaxValue, 0, 0, 1, 0, true, uint.MaxValue, DefaultPeerTimeout);

    public static QosSpec Video { get; } = new(100, ulong.MaxValue, 3, 1, 0, true, 100, DefaultPeerTimeout);

    public static QosSpec Voice { get; } = new(50, 100_000, 5, 1, 0, true, 50, DefaultPeerTimeout);

    public static QosSpec Data { get; } = new(1000, 0, 0, 0, 0, true, 2000, DefaultPeerTimeout);

    /// <summary>FRCP retransmits (and lingers on close): <c>loss == 0</c> with <c>in_order</c>.</summary>
    public bool IsReliable => InOrder && Loss == 0;

    /// <summary><c>qos_spec_to_cube()</c>: VOICE, else VIDEO, else BE.</summary>
    public QosCube Cube =>
        Delay <= 50 && Bandwidth <= 100_000 && Availability >= 5 && MaxGap <= 50 ? QosCube.Voice
        : Delay <= 100 && Availability >= 3 && MaxGap <= 100 ? QosCube.Video
        : QosCube.BestEffort;

    /// <summary>The spec named as the Ouroboros tools take it (<c>-q raw|best|video|voice|data</c>).</summary>
    public static bool TryParseName(string name, out QosSpec spec)
    {
        spec = (name ?? "").ToLowerInvariant() switch
        {
            "raw" => Raw,
            "best" or "be" => BestEffort,
            "video" => Video,
            "voice" => Voice,
            "data" => Data,
            _ => default,
        };
        return spec != default;
    }

    /// <summary>The predefined spec's name, or the fields.</summary>
    public override string ToString() =>
        this == Raw ? "raw" : this == BestEffort ? "best" : this == Video ? "video" : this == Voice ? "voice" : this == Data ? "data"
        : string.Create(CultureInfo.InvariantCulture, $"delay={Delay} bw={Bandwidth} avail={Availability} loss={Loss} ber={Ber} in_order={(InOrder ? 1 : 0)} max_gap={MaxGap} timeout={Timeout}");
}
