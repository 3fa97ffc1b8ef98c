using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Ouinet.Cli.Configuration;
using Ouinet.Overlay;
using Ouinet.Overlay.Configuration;
using Ouinet.Overlay.Tools;

namespace Ouinet.Cli.Commands;

/// <summary>
/// <c>ouinet overlay</c>: an Ouroboros-style overlay node (<c>node --config irmd.conf</c>) and the tools, which run
/// their own node from a config file (a member of the layer, usually enrolled through a running node) and then act as
/// <c>oping</c> (<c>ping NAME</c>) and <c>operf</c>/<c>ocbr</c> (<c>perf NAME</c>) with the same options and output.
/// </summary>
internal static class OverlayCommand
{
    public static Command Create() => new("overlay", "Ouroboros-style recursive overlay: run a node, ping and measure over it.")
    {
        NodeCommand(), PingCommand(), PerfCommand(),
    };

    private static Option<FileInfo> ConfigOption() => new("--config")
    {
        Description = "The node's configuration, in the irmd.conf vocabulary ([name.X], [udp4.X], [unicast.X] with bootstrap/enrol/conn/reg).",
        Required = true,
    };

    private static Option<string> LogLevelOption() => new("--log-level")
    {
        Description = $"Log level: {string.Join(", ", OuinetLogging.LevelNames)}.",
        DefaultValueFactory = _ => "INFO",
    };

    private static Command NodeCommand()
    {
        var config = ConfigOption();
        var logLevel = LogLevelOption();
        var command = new Command("node", "Run an overlay node (the IRMd and its IPCPs) until Ctrl+C or SIGTERM.") { config, logLevel };
        command.SetAction(async (result, ct) =>
        {
            var output = result.InvocationConfiguration.Output;
            if (Load(result, config, logLevel, out var irmd, out var level) is { } error)
            {
                return error;
            }
            using var logging = OuinetLogging.CreateFactory(output, level);
            await using var node = OverlayNode.Create(irmd!, new OverlayNodeOptions { LoggerFactory = logging, ProgramOutput = output });
            try
            {
                await node.StartAsync(ct);
            }
            catch (System.Net.Sockets.SocketException e)
            {
                await result.InvocationConfiguration.Error.WriteLineAsync($"ouinet overlay node: cannot bind: {e.Message}");
                return 1;
            }
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
            }
            return 0;
        });
        return command;
    }

    private static Command PingCommand()
    {
        var config = ConfigOption();
        var logLevel = LogLevelOption();
        logLevel.DefaultValueFactory = _ => "WARN";
        var name = new Argument<string>("NAME") { Description = "The name to ping (oping -n)." };
        var count = new Option<int>("--count", "-c") { Description = "Number of pings.", DefaultValueFactory = _ => 1000 };
        var interval = new Option<double>("--interval", "-i") { Description = "Interval between pings (ms).", DefaultValueFactory = _ => 1000 };
        var size = new Option<int>("--size", "-s") { Description = "Payload size (bytes).", DefaultValueFactory = _ => 64 };
        var qos = new Option<string>("--qos", "-q") { Description = "QoS cube: raw, best, video, voice, data.", DefaultValueFactory = _ => "raw" };
        var duration = new Option<double?>("--duration", "-d") { Description = "Stop after this many seconds." };
        var flood = new Option<bool>("--flood", "-f") { Description = "Send the next ping as soon as the reply is in." };
        var quiet = new Option<bool>("--quiet", "-Q") { Description = "Only print the summary." };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for NAME to become reachable.", DefaultValueFactory = _ => 30 };
        var wait = new Option<double>("--wait", "-W") { Description = "Seconds to wait for the last replies after the last ping.", DefaultValueFactory = _ => 2 };
        var stats = new Option<string?>("--stats") { Description = "Print the flow's statistics afterwards: text or json." };
        var command = new Command("ping", "Ping a name over the overlay, as oping: RTT min/avg/max/mdev, loss, out-of-order.")
        {
            name, config, count, interval, size, qos, duration, flood, quiet, timeout, wait, stats, logLevel,
        };
        command.SetAction(async (result, ct) =>
        {
            var output = result.InvocationConfiguration.Output;
            if (!QosSpec.TryParseName(result.GetValue(qos)!, out var spec))
            {
                await result.InvocationConfiguration.Error.WriteLineAsync("ouinet overlay ping: --qos must be raw, best, video, voice or data");
                return 1;
            }
            var options = new PingOptions
            {
                Count = result.GetValue(count),
                Interval = TimeSpan.FromMilliseconds(result.GetValue(interval)),
                Size = result.GetValue(size),
                Qos = spec,
                Duration = result.GetValue(duration) is { } d ? TimeSpan.FromSeconds(d) : null,
                Flood = result.GetValue(flood),
                Quiet = result.GetValue(quiet),
                Wait = TimeSpan.FromSeconds(Math.Clamp(result.GetValue(wait), 0, 3600)),
                OnFlowStatistics = result.GetValue(stats) is { } format
                    ? s => output.WriteLine(format == "json" ? s.ToJson() : s.ToText())
                    : null,
            };
            return await WithNodeAsync(result, config, logLevel, result.GetValue(name)!, result.GetValue(timeout), "ping", async (node, target) =>
            {
                var s = await PingClient.RunAsync(node, target, options, output, ct);
                return s.Received > 0 ? 0 : 1;
            }, ct);
        });
        return command;
    }

    private static Command PerfCommand()
    {
        var config = ConfigOption();
        var logLevel = LogLevelOption();
        logLevel.DefaultValueFactory = _ => "WARN";
        var name = new Argument<string>("NAME") { Description = "The name of a perf server (operf -n)." };
        var duration = new Option<double>("--duration", "-d") { Description = "Seconds to send.", DefaultValueFactory = _ => 10 };
        var size = new Option<int>("--size", "-s") { Description = "Message size (bytes).", DefaultValueFactory = _ => 1000 };
        var rate = new Option<long>("--rate", "-r") { Description = "Bit/s to send at (0: as fast as the flow takes them).", DefaultValueFactory = _ => 0 };
        var qos = new Option<string>("--qos", "-q") { Description = "QoS cube: raw, best, video, voice, data.", DefaultValueFactory = _ => "data" };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for NAME to become reachable.", DefaultValueFactory = _ => 30 };
        var command = new Command("perf", "Measure throughput to a name, as operf/ocbr: packets (bytes) in ms => pps, Mbps.")
        {
            name, config, duration, size, rate, qos, timeout, logLevel,
        };
        command.SetAction(async (result, ct) =>
        {
            var output = result.InvocationConfiguration.Output;
            if (!QosSpec.TryParseName(result.GetValue(qos)!, out var spec))
            {
                await result.InvocationConfiguration.Error.WriteLineAsync("ouinet overlay perf: --qos must be raw, best, video, voice or data");
                return 1;
            }
            var options = new PerfOptions { Duration = TimeSpan.FromSeconds(result.GetValue(duration)), Size = result.GetValue(size), Rate = result.GetValue(rate), Qos = spec };
            return await WithNodeAsync(result, config, logLevel, result.GetValue(name)!, result.GetValue(timeout), "perf", async (node, target) =>
            {
                var r = await PerfClient.RunAsync(node, target, options, ct);
                await output.WriteLineAsync(r.Format(target));
                return 0;
            }, ct);
        });
        return command;
    }

    private static int? Load(ParseResult result, Option<FileInfo> config, Option<string> logLevel, out IrmdConfig? irmd, out LogLevel level)
    {
        irmd = null;
        var error = result.InvocationConfiguration.Error;
        if (!OuinetLogging.TryParseLevel(result.GetValue(logLevel), out level))
        {
            error.WriteLine($"ouinet overlay: --log-level must be one of {string.Join(", ", OuinetLogging.LevelNames)}");
            return 1;
        }
        try
        {
            irmd = IrmdConfig.Load(result.GetRequiredValue(config).FullName);
            return null;
        }
        catch (Exception e) when (e is IrmdConfigException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"ouinet overlay: {e.Message}");
            return 1;
        }
    }

    /// <summary>Starts a node from the config, waits until <paramref name="name"/> resolves, runs <paramref name="run"/>.</summary>
    private static async Task<int> WithNodeAsync(ParseResult result, Option<FileInfo> config, Option<string> logLevel, string name, double timeoutSeconds, string tool,
        Func<OverlayNode, string, Task<int>> run, CancellationToken ct)
    {
        var error = result.InvocationConfiguration.Error;
        if (Load(result, config, logLevel, out var irmd, out var level) is { } failed)
        {
            return failed;
        }
        using var logging = OuinetLogging.CreateFactory(error, level);
        await using var node = OverlayNode.Create(irmd!, new OverlayNodeOptions { LoggerFactory = logging });
        await node.StartAsync(ct);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(timeoutSeconds);
        while (!await node.CanResolveAsync(name, ct))
        {
            if (DateTime.UtcNow > deadline)
            {
                await error.WriteLineAsync($"ouinet overlay {tool}: no layer resolved {name} within {timeoutSeconds.ToString(CultureInfo.InvariantCulture)} s");
                return 1;
            }
            await Task.Delay(200, ct);
        }
        try
        {
            return await run(node, name);
        }
        catch (FlowException e)
        {
            await error.WriteLineAsync($"ouinet overlay {tool}: {e.Message}");
            return 1;
        }
    }
}
