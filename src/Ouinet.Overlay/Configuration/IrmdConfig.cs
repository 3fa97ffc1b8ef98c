using System.Globalization;
using System.Net;
using Ouinet.Overlay.Wire;

namespace Ouinet.Overlay.Configuration;

/// <summary>IPCP types we implement (of Ouroboros' <c>local, unicast, broadcast, eth-llc, eth-dix, udp4, udp6</c>).</summary>
public enum IpcpType
{
    Unicast,
    Udp4,
}

/// <summary>How incoming flows for a name are spread across the handlers bound to it.</summary>
public enum LoadBalance
{
    RoundRobin,
    Spillover,
}

/// <summary><c>[name.X]</c>: a name, the built-in programs bound to it (started with the node) and its load balancing.</summary>
public sealed record NameConfig(string Name)
{
    public IReadOnlyList<string> Programs { get; init; } = [];

    public IReadOnlyList<string> Args { get; init; } = [];

    public LoadBalance LoadBalance { get; init; } = LoadBalance.RoundRobin;
}

/// <summary>A <c>[udp4.X]</c> or <c>[unicast.X]</c> table: one IPCP of this node.</summary>
public sealed record IpcpConfig(IpcpType Type, string Name)
{
    /// <summary><c>bootstrap = LAYER</c>: this IPCP starts the layer.</summary>
    public string? Bootstrap { get; init; }

    /// <summary><c>enrol = DST</c>: join the layer through the member (or layer) named DST.</summary>
    public string? Enrol { get; init; }

    /// <summary><c>conn = [DST…]</c>: members to connect the <c>dt</c> and <c>mgmt</c> components to.</summary>
    public IReadOnlyList<string> Connect { get; init; } = [];

    /// <summary><c>reg = [NAME…]</c>: names registered in this IPCP's layer.</summary>
    public IReadOnlyList<string> Register { get; init; } = [];

    /// <summary>udp4: <c>ip</c>, <c>port</c> (3435).</summary>
    public IPEndPoint? Endpoint { get; init; }

    /// <summary>udp4: the static directory (<c>dir = ["name=IP:PORT"]</c> and the <c>hosts</c> file).</summary>
    public IReadOnlyDictionary<string, IPEndPoint> Directory { get; init; } = new Dictionary<string, IPEndPoint>();

    /// <summary>udp4: largest SDU (bytes) a flow over the shim may carry (default 1400; Ouroboros allows 8980).</summary>
    public int Mtu { get; init; } = 1400;

    /// <summary>unicast: the layer parameters when bootstrapping.</summary>
    public LayerConfig Layer { get; init; } = new("");

    /// <summary>unicast: peer-liveness timeout of the N-1 flows (ms).</summary>
    public uint ConnTimeout { get; init; } = 10_000;

    /// <summary>unicast: rate limit of every outgoing dt N-1 flow (bit/s; 0: none). Where MB-ECN marks come from.</summary>
    public long RateLimit { get; init; }

    /// <summary>unicast: a fixed address instead of a random one (tests, reproducible experiments).</summary>
    public uint? Address { get; init; }
}

/// <summary>
/// A node's configuration in the vocabulary of Ouroboros' <c>irmd.conf</c> (TOML): <c>[name.X]</c> tables with
/// <c>prog</c>, <c>args</c>, <c>lb</c>, and one table per IPCP, <c>[udp4.X]</c> or <c>[unicast.X]</c>, each with
/// <c>bootstrap</c>/<c>enrol</c>, <c>conn</c>, <c>reg</c> and the bootstrap parameters of <c>irm ipcp bootstrap</c>.
/// </summary>
public sealed record IrmdConfig
{
    public IReadOnlyList<NameConfig> Names { get; init; } = [];

    public IReadOnlyList<IpcpConfig> Ipcps { get; init; } = [];

    public static IrmdConfig Load(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new IrmdConfigException($"{path}: no such file");
        }
        if (info.Length > TomlLite.MaxBytes)
        {
            throw new IrmdConfigException($"{path}: larger than {TomlLite.MaxBytes} bytes");
        }
        return Parse(File.ReadAllText(path), path, Path.GetDirectoryName(Path.GetFullPath(path)));
    }

    /// <summary>Parses and validates, reporting every error at once. <paramref name="baseDirectory"/> resolves <c>hosts</c> files.</summary>
    public static IrmdConfig Parse(string text, string source, string? baseDirectory = null)
    {
        var entries = TomlLite.Parse(text, source);
        var errors = new List<string>();
        var names = new List<NameConfig>();
        var ipcps = new List<IpcpConfig>();
        foreach (var group in entries.GroupBy(e => string.Join('\u0001', e.Table)))
        {
            var first = group.First();
            var where = $"{source}:{first.Line}";
            if (first.Table.Count != 2)
            {
                errors.Add($"{where}: \"{first.Key}\" must be inside a [type.name] table");
                continue;
            }
            var t = new Table(group.ToList(), source, errors);
            var (kind, name) = (first.Table[0], first.Table[1]);
            switch (kind)
            {
                case "name":
                    names.Add(new NameConfig(name)
                    {
                        Programs = t.Strings("prog"),
                        Args = t.Strings("args"),
                        LoadBalance = t.String("lb") switch
                        {
                            null or "round-robin" => LoadBalance.RoundRobin,
                            "spillover" => LoadBalance.Spillover,
                            var other => t.Bad<LoadBalance>("lb", $"\"{other}\" is not round-robin or spillover"),
                        },
                    });
                    break;
                case "udp4":
                    ipcps.Add(Common(t, IpcpType.Udp4, name) with
                    {
                        Endpoint = new IPEndPoint(t.Address("ip") ?? IPAddress.Loopback, (int)t.Integer("port", 3435, 0, 65535)),
                        Directory = t.Directory(baseDirectory),
                        Mtu = (int)t.Integer("mtu", 1400, 64, 8980),
                    });
                    break;
                case "unicast":
                    ipcps.Add(Common(t, IpcpType.Unicast, name) with
                    {
                        Layer = t.Layer(),
                        ConnTimeout = (uint)t.Integer("conn_timeout", 10_000, 100, uint.MaxValue),
                        RateLimit = t.Rate("rate"),
                        Address = t.Has("addr") ? (uint)t.Integer("addr", 0, 1, uint.MaxValue) : null,
                    });
                    break;
                case "local" or "broadcast" or "eth-llc" or "eth-dix" or "udp6":
                    errors.Add($"{where}: IPCP type {kind} is not implemented (udp4 and unicast are)");
                    break;
                default:
                    errors.Add($"{where}: unknown table [{kind}.{name}]");
                    break;
            }
            t.ReportUnused();
        }
        foreach (var ipcp in ipcps)
        {
            if ((ipcp.Bootstrap is null) == (ipcp.Enrol is null) && !(ipcp.Type == IpcpType.Udp4 && ipcp.Enrol is null))
            {
                errors.Add($"{source}: [{(ipcp.Type == IpcpType.Udp4 ? "udp4" : "unicast")}.{ipcp.Name}] needs exactly one of bootstrap = LAYER or enrol = DST");
            }
        }
        foreach (var dup in ipcps.GroupBy(i => i.Name).Where(g => g.Count() > 1))
        {
            errors.Add($"{source}: two IPCPs named {dup.Key}");
        }
        if (errors.Count > 0)
        {
            throw new IrmdConfigException(string.Join(Environment.NewLine, errors));
        }
        return new IrmdConfig { Names = names, Ipcps = ipcps };
    }

    private static IpcpConfig Common(Table t, IpcpType type, string name) => new(type, name)
    {
        Bootstrap = t.String("bootstrap"),
        Enrol = t.String("enrol") ?? t.String("enroll"),
        Connect = t.Strings("conn"),
        Register = t.Strings("reg"),
    };

    private sealed class Table(List<TomlEntry> entries, string source, List<string> errors)
    {
        private readonly HashSet<string> _used = [];

        public bool Has(string key) => entries.Any(e => e.Key == key);

        private TomlEntry? Get(string key)
        {
            _used.Add(key);
            return entries.LastOrDefault(e => e.Key == key);
        }

        public T Bad<T>(string key, string what)
        {
            errors.Add($"{source}:{Get(key)?.Line}: {key}: {what}");
            return default!;
        }

        public string? String(string key) => Get(key) switch
        {
            null => null,
            { Value: string s } => s,
            _ => Bad<string?>(key, "expected a string in quotes"),
        };

        public IReadOnlyList<string> Strings(string key) => Get(key) switch
        {
            null => [],
            { Value: string s } => [s],
            { Value: List<object> items } when items.All(i => i is string) => [.. items.Cast<string>()],
            _ => Bad<IReadOnlyList<string>>(key, "expected a list of strings") ?? [],
        };

        public long Integer(string key, long fallback, long min, long max)
        {
            var e = Get(key);
            if (e is null)
            {
                return fallback;
            }
            if (e.Value is long v && v >= min && v <= max)
            {
                return v;
            }
            return Bad<long>(key, $"expected an integer within {min}..{max}") is var _ ? fallback : fallback;
        }

        /// <summary>A duration in seconds (Ouroboros' unit), decimals allowed; returned in ms.</summary>
        public uint Seconds(string key, uint fallbackMs)
        {
            var e = Get(key);
            double? seconds = e?.Value switch { long l => l, double d => d, _ => null };
            if (e is null)
            {
                return fallbackMs;
            }
            if (seconds is not { } s || s <= 0 || s > 1e6)
            {
                errors.Add($"{source}:{e.Line}: {key}: expected seconds > 0");
                return fallbackMs;
            }
            return (uint)Math.Max(1, Math.Round(s * 1000));
        }

        public IPAddress? Address(string key) =>
            String(key) is not { } s ? null : IPAddress.TryParse(s, out var a) ? a : Bad<IPAddress?>(key, $"\"{s}\" is not an IP address");

        /// <summary>Bit/s: an integer, or a string with a k/M/G suffix.</summary>
        public long Rate(string key)
        {
            var e = Get(key);
            if (e is null)
            {
                return 0;
            }
            if (e.Value is long l && l >= 0)
            {
                return l;
            }
            if (e.Value is string s && s.Length > 1)
            {
                var mult = char.ToLowerInvariant(s[^1]) switch { 'k' => 1e3, 'm' => 1e6, 'g' => 1e9, _ => 0 };
                if (mult > 0 && double.TryParse(s[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0)
                {
                    return (long)(v * mult);
                }
            }
            return Bad<long>(key, "expected bit/s, e.g. 100000000 or \"100M\"");
        }

        public Dictionary<string, IPEndPoint> Directory(string? baseDirectory)
        {
            var map = new Dictionary<string, IPEndPoint>(StringComparer.Ordinal);
            foreach (var item in Strings("dir"))
            {
                var eq = item.LastIndexOf('=');
                if (eq <= 0 || !IPEndPoint.TryParse(item[(eq + 1)..], out var ep) || ep.Port == 0)
                {
                    errors.Add($"{source}: dir entry \"{item}\" is not NAME=IP:PORT");
                    continue;
                }
                map[item[..eq]] = ep;
            }
            if (String("hosts") is { } file)
            {
                var path = Path.IsPathRooted(file) || baseDirectory is null ? file : Path.Combine(baseDirectory, file);
                try
                {
                    foreach (var (name, ep) in HostsFile.Parse(File.ReadAllText(path), path))
                    {
                        map[name] = ep;
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or IrmdConfigException)
                {
                    errors.Add($"{source}: hosts: {ex.Message}");
                }
            }
            return map;
        }

        public LayerConfig Layer()
        {
            var layer = new LayerConfig(String("bootstrap") ?? "")
            {
                MaxTtl = (byte)Integer("ttl", DtHeader.DefaultMaxTtl, 1, 255),
                RecalcMilliseconds = Seconds("ls_t_recalc", 4000),
                UpdateMilliseconds = Seconds("ls_t_update", 15000),
                TimeoutMilliseconds = Seconds("ls_t_timeo", 60000),
                DhtAlpha = (byte)Integer("dht_alpha", 3, 1, 16),
                DhtK = (byte)Integer("dht_k", 8, 1, DhtMessage.MaxContacts),
                DhtExpireSeconds = Seconds("dht_t_expire", 86_400_000) / 1000,
                DhtRefreshSeconds = Seconds("dht_t_refresh", 900_000) / 1000,
                DhtReplicateSeconds = Seconds("dht_t_replicate", 900_000) / 1000,
            };
            switch (String("congestion"))
            {
                case null or "mb-ecn":
                    break;
                case "none":
                    layer = layer with { MbEcn = false };
                    break;
                case var other:
                    Bad<int>("congestion", $"\"{other}\" is not mb-ecn or none");
                    break;
            }
            foreach (var (key, allowed) in new[] { ("addr_auth", "flat"), ("directory", "DHT"), ("routing", "link_state"), ("hash", "SHA3_256") })
            {
                if (String(key) is { } v && !string.Equals(v, allowed, StringComparison.OrdinalIgnoreCase))
                {
                    Bad<int>(key, $"only {allowed} is implemented");
                }
            }
            return layer;
        }

        public void ReportUnused()
        {
            string[] known = ["autobind", "layer"];
            foreach (var e in entries.Where(e => !_used.Contains(e.Key) && !known.Contains(e.Key)))
            {
                errors.Add($"{source}:{e.Line}: unknown option \"{e.Key}\" in [{string.Join('.', e.Table)}]");
            }
        }
    }
}

/// <summary>
/// The udp4 shim's static directory file, hosts-style: <c>IP:PORT name [name…]</c> per line (a bare IP means port
/// 3435), <c>#</c> comments. A name may be given as itself or as the 32-hex-digit MD5 that Ouroboros puts in DNS.
/// </summary>
public static class HostsFile
{
    public const int DefaultPort = 3435;

    public static IEnumerable<(string Name, IPEndPoint EndPoint)> Parse(string text, string source)
    {
        var n = 0;
        foreach (var raw in text.Split('\n'))
        {
            n++;
            var hash = raw.IndexOf('#', StringComparison.Ordinal);
            var fields = (hash >= 0 ? raw[..hash] : raw).Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0)
            {
                continue;
            }
            IPEndPoint? ep = IPAddress.TryParse(fields[0], out var ip) ? new IPEndPoint(ip, DefaultPort)
                : IPEndPoint.TryParse(fields[0], out var e) && e.Port != 0 ? e : null;
            if (ep is null || fields.Length < 2)
            {
                throw new IrmdConfigException($"{source}:{n}: expected \"IP[:PORT] name…\"");
            }
            foreach (var name in fields.Skip(1))
            {
                yield return (name, ep);
            }
        }
    }
}
