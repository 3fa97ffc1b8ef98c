using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Ouinet.Dht;
using Ouinet.Net;

namespace Ouinet.Cli.Commands;

/// <summary>
/// <c>ouinet dht serve|announce|get-peers</c>: one Mainline DHT node on one UDP port, for tests and diagnosis.
/// Prints one JSON object per line on standard output. A node listening on 127.0.0.0/8 talks to 127.0.0.0/8 only
/// and never uses the public routers; elsewhere the public routers are used unless <c>--no-default-bootstrap</c>.
/// </summary>
internal static class DhtCommand
{
    public static Command Create() => new("dht", "Run a Mainline DHT (BEP 5) node: serve, announce an info-hash, or look up its peers.")
    {
        Serve(),
        Announce(),
        GetPeers(),
    };

    private sealed record Common(
        Option<IPEndPoint> Listen, Option<string[]> Bootstrap, Option<double?> Timeout, Option<bool> NoDefault,
        Option<DirectoryInfo> Repo, Option<string> NodeId, Option<bool> AllowMartians, Option<bool> ReadOnly, Option<bool> Verbose)
    {
        public static Common Create(double? defaultTimeout) => new(
            new Option<IPEndPoint>("--listen")
            {
                Description = "UDP endpoint to listen on, IP:PORT (port 0: any). 127.x keeps the node on loopback.",
                Required = true,
                CustomParser = ParseEndPoint,
            },
            new Option<string[]>("--bootstrap")
            {
                Description = "A node to bootstrap from, IP:PORT or HOST:PORT (repeatable; like bt-bootstrap-extra).",
                Arity = ArgumentArity.ZeroOrMore,
            },
            new Option<double?>("--timeout")
            {
                Description = defaultTimeout is { } d ? $"Seconds before giving up (default {d})." : "Seconds to run (default: until interrupted).",
                DefaultValueFactory = _ => defaultTimeout,
            },
            new Option<bool>("--no-default-bootstrap") { Description = "Do not use the public routers (like bt-bootstrap-no-default)." },
            new Option<DirectoryInfo>("--repo") { Description = "Repository folder: the node ID and contacts are kept in its dht/ subfolder." },
            new Option<string>("--node-id") { Description = "Node ID, 40 hex digits (default: saved, or derived from our address by BEP 42)." },
            new Option<bool>("--allow-martians") { Description = "Accept peers and nodes at addresses no public node has (like bt-allow-martians)." },
            new Option<bool>("--read-only") { Description = "BEP 43 read-only node: query, but answer nothing and stay out of routing tables." },
            new Option<bool>("--verbose") { Description = "Log to standard error." });

        public void AddTo(Command command)
        {
            command.Options.Add(Listen);
            command.Options.Add(Bootstrap);
            command.Options.Add(Timeout);
            command.Options.Add(NoDefault);
            command.Options.Add(Repo);
            command.Options.Add(NodeId);
            command.Options.Add(AllowMartians);
            command.Options.Add(ReadOnly);
            command.Options.Add(Verbose);
            command.Validators.Add(result =>
            {
                foreach (var text in result.GetValue(Bootstrap) ?? [])
                {
                    if (ParseBootstrap(text) is null)
                    {
                        result.AddError($"--bootstrap {text}: expected IP:PORT or HOST:PORT.");
                    }
                }
                if (result.GetValue(NodeId) is { } id && !Dht.NodeId.TryParse(id, out _))
                {
                    result.AddError("--node-id: expected 40 hex digits.");
                }
                if (result.GetValue(Timeout) is <= 0)
                {
                    result.AddError("--timeout must be positive.");
                }
            });
        }

        public DhtOptions Options(ParseResult result) => new()
        {
            BootstrapNodes = [.. (result.GetValue(Bootstrap) ?? []).Select(t => ParseBootstrap(t)!)],
            UseDefaultBootstrapRouters = !result.GetValue(NoDefault),
            RepositoryPath = result.GetValue(Repo)?.FullName,
            NodeId = result.GetValue(NodeId) is { } id ? Dht.NodeId.Parse(id) : null,
            AllowMartians = result.GetValue(AllowMartians),
            ReadOnly = result.GetValue(ReadOnly),
        };
    }

    private static Command Serve()
    {
        var common = Common.Create(defaultTimeout: null);
        var command = new Command("serve", "Run a node that answers queries and stores announces until the timeout.");
        common.AddTo(command);
        command.SetAction((result, ct) => RunAsync(result, common, async (node, output, stop) =>
        {
            node.PeerAnnounced += (infoHash, peer) =>
                output.Event("announce_received", w =>
                {
                    w.WriteString("info_hash", infoHash.ToString());
                    w.WriteString("peer", peer.ToString());
                });
            await WaitAsync(stop);
            return 0;
        }, ct));
        return command;
    }

    private static Command Announce()
    {
        var common = Common.Create(defaultTimeout: null);
        var infoHash = InfoHashArgument();
        var port = new Option<int?>("--port") { Description = "Announce this TCP/uTP port instead of implied_port (our UDP port)." };
        port.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is { } p && p is < 1 or > 65535)
            {
                r.AddError("--port must be 1 to 65535.");
            }
        });
        var command = new Command("announce", "Join, announce INFOHASH (implied port) to the closest nodes, keep it announced and answer queries until the timeout.")
        {
            infoHash, port,
        };
        common.AddTo(command);
        command.SetAction((result, ct) => RunAsync(result, common, async (node, output, stop) =>
        {
            var succeeded = 0;
            var target = result.GetValue(infoHash);
            await using var announcement = node.KeepAnnounced(target, result.GetValue(port), r =>
            {
                Interlocked.Or(ref succeeded, r.Succeeded ? 1 : 0);
                output.Event("announced", w =>
                {
                    w.WriteString("info_hash", target.ToString());
                    w.WriteNumber("nodes", r.NodesAnnouncedTo);
                    w.WriteNumber("accepted", r.NodesAccepted);
                });
            });
            await WaitAsync(stop);
            return Volatile.Read(ref succeeded) == 1 ? 0 : 1;
        }, ct));
        return command;
    }

    private static Command GetPeers()
    {
        var common = Common.Create(defaultTimeout: 60);
        var infoHash = InfoHashArgument();
        var command = new Command("get-peers", "Look up the peers of INFOHASH; prints {\"peer\":\"IP:PORT\"} for each, exits 0 if any was found, 1 if none before the timeout.")
        {
            infoHash,
        };
        common.AddTo(command);
        command.SetAction((result, ct) => RunAsync(result, common, async (node, output, stop) =>
        {
            var seen = new HashSet<IPEndPoint>();
            try
            {
                await node.WaitForBootstrapAsync(stop);
                while (true)
                {
                    // Lookups until one finds peers: a node that joined a moment ago may not reach the announcers at once.
                    await foreach (var peer in node.GetPeersAsync(result.GetValue(infoHash), stop))
                    {
                        if (seen.Add(peer))
                        {
                            output.Line(w => w.WriteString("peer", peer.ToString()));
                        }
                    }
                    if (seen.Count > 0)
                    {
                        return 0;
                    }
                    await Task.Delay(TimeSpan.FromSeconds(1), stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return seen.Count > 0 ? 0 : 1;
            }
        }, ct));
        return command;
    }

    private static Argument<InfoHash> InfoHashArgument() => new("INFOHASH")
    {
        Description = "The info-hash, 40 hex digits.",
        CustomParser = r =>
        {
            var text = r.Tokens.Count == 1 ? r.Tokens[0].Value : "";
            if (InfoHash.TryParse(text, out var infoHash))
            {
                return infoHash;
            }
            r.AddError($"INFOHASH: expected 40 hex digits, got \"{text}\".");
            return default;
        },
    };

    private static async Task<int> RunAsync(ParseResult result, Common common, Func<DhtNode, JsonLines, CancellationToken, Task<int>> body, CancellationToken ct)
    {
        var output = new JsonLines(result.InvocationConfiguration.Output);
        using var loggerFactory = result.GetValue(common.Verbose)
            ? LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace))
            : NullLoggerFactory.Instance;
        var clock = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (result.GetValue(common.Timeout) is { } seconds)
        {
            stop.CancelAfter(TimeSpan.FromSeconds(seconds));
        }
        UdpMultiplexer multiplexer;
        try
        {
            multiplexer = UdpMultiplexer.Bind(result.GetRequiredValue(common.Listen));
        }
        catch (System.Net.Sockets.SocketException e)
        {
            output.Event("error", w => w.WriteString("message", $"cannot listen on {result.GetValue(common.Listen)}: {e.Message}"));
            return 2;
        }
        await using (multiplexer)
        {
            var node = new DhtNode(common.Options(result), multiplexer, loggerFactory: loggerFactory);
            await using (node)
            {
                multiplexer.Start();
                await node.StartAsync(ct);
                output.Event("listening", w =>
                {
                    w.WriteString("endpoint", node.LocalEndPoint.ToString());
                    w.WriteString("node_id", node.Id.ToString());
                    w.WriteBoolean("loopback_only", node.IsLoopbackOnly);
                });
                _ = node.WaitForBootstrapAsync(stop.Token).ContinueWith(
                    t => output.Event("bootstrapped", w =>
                    {
                        var stats = node.GetStats();
                        w.WriteNumber("nodes", stats.Nodes);
                        w.WriteString("node_id", stats.NodeId.ToString());
                        if (stats.ExternalEndPoint is { } external)
                        {
                            w.WriteString("external_endpoint", external.ToString());
                        }
                    }),
                    CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
                var code = await body(node, output, stop.Token);
                var s = node.GetStats();
                output.Event("stats", w =>
                {
                    w.WriteNumber("nodes", s.Nodes);
                    w.WriteNumber("good_nodes", s.GoodNodes);
                    w.WriteNumber("queries_sent", s.QueriesSent);
                    w.WriteNumber("queries_received", s.QueriesReceived);
                    w.WriteNumber("responses_received", s.ResponsesReceived);
                    w.WriteNumber("errors_received", s.ErrorsReceived);
                    w.WriteNumber("timeouts", s.Timeouts);
                    w.WriteNumber("stored_peers", s.StoredPeers);
                });
                output.Event("exit", w =>
                {
                    w.WriteNumber("code", code);
                    w.WriteString("reason", ct.IsCancellationRequested ? "signal" : stop.IsCancellationRequested ? "timeout" : "done");
                    w.WriteNumber("seconds", Math.Round(clock.Elapsed.TotalSeconds, 3));
                });
                return code;
            }
        }
    }

    private static async Task WaitAsync(CancellationToken stop)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, stop);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static IPEndPoint? ParseEndPoint(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (IPEndPoint.TryParse(text, out var endPoint) && text.Contains(':', StringComparison.Ordinal))
        {
            return endPoint;
        }
        result.AddError($"{text}: expected IP:PORT.");
        return null;
    }

    private static EndPoint? ParseBootstrap(string text)
    {
        if (IPEndPoint.TryParse(text, out var ip) && ip.Port != 0)
        {
            return ip;
        }
        var colon = text.LastIndexOf(':');
        return colon > 0 && int.TryParse(text.AsSpan(colon + 1), out var port) && port is > 0 and <= 65535
            && Uri.CheckHostName(text[..colon]) == UriHostNameType.Dns
            ? new DnsEndPoint(text[..colon], port)
            : null;
    }

    /// <summary>One JSON object per line, flushed at once; safe from several threads.</summary>
    private sealed class JsonLines(TextWriter output)
    {
        private readonly Lock _lock = new();

        public void Event(string name, Action<Utf8JsonWriter> fields) => Line(w =>
        {
            w.WriteString("event", name);
            fields(w);
        });

        public void Line(Action<Utf8JsonWriter> fields)
        {
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                fields(w);
                w.WriteEndObject();
            }
            var line = Encoding.UTF8.GetString(buffer.ToArray());
            lock (_lock)
            {
                output.WriteLine(line);
                output.Flush();
            }
        }
    }
}
