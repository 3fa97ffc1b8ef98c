using System.Globalization;
using System.Text;

namespace Ouinet.Overlay.Tools;

/// <summary>What oping counts and prints: per-reply lines and the closing summary with min/avg/max/mdev.</summary>
public sealed class PingStatistics(string name, int size)
{
    private readonly List<double> _rtts = [];
    private readonly HashSet<uint> _seen = [];
    private uint _highest;
    private bool _any;

    public string Name { get; } = name;

    public int Size { get; } = size;

    public int Transmitted { get; set; }

    public int Received => _rtts.Count;

    public int OutOfOrder { get; private set; }

    public int Duplicates { get; private set; }

    public IReadOnlyList<double> RttsMs => _rtts;

    public double Min => _rtts.Count == 0 ? 0 : _rtts.Min();

    public double Max => _rtts.Count == 0 ? 0 : _rtts.Max();

    public double Average => _rtts.Count == 0 ? 0 : _rtts.Average();

    /// <summary>oping's mdev: the standard deviation of the RTTs.</summary>
    public double Mdev => _rtts.Count == 0 ? 0 : Math.Sqrt(_rtts.Sum(r => (r - Average) * (r - Average)) / _rtts.Count);

    public double LossPercent => Transmitted == 0 ? 0 : 100.0 * (Transmitted - Received) / Transmitted;

    /// <summary>Counts one reply; returns its line (or null for a duplicate).</summary>
    public string? OnReply(uint id, double rttMs)
    {
        if (!_seen.Add(id))
        {
            Duplicates++;
            return null;
        }
        if (_any && id < _highest)
        {
            OutOfOrder++;
        }
        _highest = Math.Max(_highest, id);
        _any = true;
        _rtts.Add(rttMs);
        return string.Create(CultureInfo.InvariantCulture, $"{Size} bytes from {Name}: seq={id} time={rttMs:0.000} ms");
    }

    public string Header(int count) => string.Create(CultureInfo.InvariantCulture, $"Pinging {Name} with {Size} bytes of data ({count} packets):\n");

    public string Summary(TimeSpan elapsed)
    {
        var sb = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        sb.Append(c, $"\n--- {Name} ping statistics ---\n");
        sb.Append(c, $"{Transmitted} packets transmitted, {Received} received, {OutOfOrder} out-of-order, {LossPercent:0.###}% packet loss, time: {elapsed.TotalMilliseconds:0.###} ms\n");
        sb.Append(c, $"rtt min/avg/max/mdev = {Min:0.000}/{Average:0.000}/{Max:0.000}/{Mdev:0.000} ms\n");
        return sb.ToString();
    }
}
