using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Ouinet.Overlay;

/// <summary>
/// A snapshot of one flow's state and counters, in the spirit of Ouroboros' RIB files (<c>flow-allocator/&lt;fd&gt;</c>,
/// FRCT state): FRCP's srtt, rto and retransmissions, what was dropped and why, and the layer's own view.
/// </summary>
public sealed record FlowStatistics
{
    public required string Name { get; init; }

    public required string Layer { get; init; }

    public required string Qos { get; init; }

    public required string State { get; init; }

    public long SentPackets { get; init; }

    public long SentBytes { get; init; }

    public long ReceivedPackets { get; init; }

    public long ReceivedBytes { get; init; }

    public long Retransmissions { get; init; }

    public long Duplicates { get; init; }

    public long OutOfOrderDropped { get; init; }

    public long OutOfWindowDropped { get; init; }

    public long KeepalivesSent { get; init; }

    public TimeSpan Srtt { get; init; }

    public TimeSpan Rttvar { get; init; }

    public TimeSpan Rto { get; init; }

    public uint SendWindow { get; init; }

    public uint ReceiveWindow { get; init; }

    /// <summary>The delay/loss congestion window of a shim flow (packets), 0 when not in use.</summary>
    public double CongestionWindow { get; init; }

    public int RxQueue { get; init; }

    public int TxQueue { get; init; }

    /// <summary>What the layer adds (MB-ECN rate and ECE, addresses, EIDs).</summary>
    public IReadOnlyDictionary<string, string> LayerInfo { get; init; } = new Dictionary<string, string>();

    private IEnumerable<(string Key, string Value)> Fields()
    {
        var c = CultureInfo.InvariantCulture;
        yield return ("name", Name);
        yield return ("layer", Layer);
        yield return ("qos", Qos);
        yield return ("state", State);
        yield return ("sent_pkts", SentPackets.ToString(c));
        yield return ("sent_bytes", SentBytes.ToString(c));
        yield return ("rcvd_pkts", ReceivedPackets.ToString(c));
        yield return ("rcvd_bytes", ReceivedBytes.ToString(c));
        yield return ("rtx", Retransmissions.ToString(c));
        yield return ("dup", Duplicates.ToString(c));
        yield return ("ooo_dropped", OutOfOrderDropped.ToString(c));
        yield return ("oow_dropped", OutOfWindowDropped.ToString(c));
        yield return ("keepalives", KeepalivesSent.ToString(c));
        yield return ("srtt_us", ((long)Srtt.TotalMicroseconds).ToString(c));
        yield return ("rttvar_us", ((long)Rttvar.TotalMicroseconds).ToString(c));
        yield return ("rto_us", ((long)Rto.TotalMicroseconds).ToString(c));
        yield return ("snd_wnd", SendWindow.ToString(c));
        yield return ("rcv_wnd", ReceiveWindow.ToString(c));
        yield return ("cwnd", CongestionWindow.ToString("0.#", c));
        yield return ("rxq", RxQueue.ToString(c));
        yield return ("txq", TxQueue.ToString(c));
        foreach (var (k, v) in LayerInfo)
        {
            yield return (k, v);
        }
    }

    /// <summary>"key: value" lines, as the RIB files read.</summary>
    public string ToText()
    {
        var sb = new StringBuilder();
        foreach (var (k, v) in Fields())
        {
            sb.Append(k).Append(": ").Append(v).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>One JSON object with the same keys (numbers as numbers).</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            foreach (var (k, v) in Fields())
            {
                if (long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
                {
                    w.WriteNumber(k, n);
                }
                else if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && k == "cwnd")
                {
                    w.WriteNumber(k, d);
                }
                else
                {
                    w.WriteString(k, v);
                }
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
