using Microsoft.Extensions.Logging;
using Ouinet.Cli.Configuration;
using Ouinet.Overlay;
using Ouinet.Overlay.Configuration;

namespace Ouinet.Cli.Commands;

/// <summary>
/// The overlay node that <c>ouinet injector</c> (<c>listen-on-overlay NAME</c>) and <c>ouinet client</c>
/// (<c>injector-ep overlay:NAME</c>) run in their own process, from the irmd.conf named by <c>overlay-config</c>.
/// </summary>
internal static class OverlayHost
{
    public const string ConfigOptionName = "overlay-config";

    /// <summary>How long a dial waits between checks that the name resolves (the node may still be enrolling).</summary>
    private static readonly TimeSpan ResolvePoll = TimeSpan.FromMilliseconds(100);

    public static OptionSpec ConfigOption(string purpose) =>
        new(ConfigOptionName, OptionKind.Value, $"The overlay node this process runs, an irmd.conf file ([udp4.X], [unicast.X] with bootstrap/enrol/conn/reg; relative to the repository): {purpose}.", ValueName: "FILE");

    /// <summary>The configured overlay, or null when <c>overlay-config</c> is unset; problems go to <paramref name="errors"/>.</summary>
    public static IrmdConfig? Load(IReadOnlyDictionary<string, OptionValue> values, string repoPath, List<string> errors)
    {
        if (values.GetString(ConfigOptionName) is not { } file)
        {
            return null;
        }
        try
        {
            return IrmdConfig.Load(Path.GetFullPath(file, repoPath));
        }
        catch (Exception e) when (e is IrmdConfigException or IOException or UnauthorizedAccessException)
        {
            errors.Add($"{ConfigOptionName}: {e.Message}");
            return null;
        }
    }

    /// <summary>
    /// <paramref name="config"/> with <paramref name="name"/> registered in every unicast layer (in every layer when
    /// there is none: a shim-only overlay), as a <c>reg</c> line would.
    /// </summary>
    public static IrmdConfig Registering(IrmdConfig config, string name)
    {
        var unicast = config.Ipcps.Any(i => i.Type == IpcpType.Unicast);
        return config with
        {
            Ipcps = [.. config.Ipcps.Select(i => (!unicast || i.Type == IpcpType.Unicast) && !i.Register.Contains(name) ? i with { Register = [.. i.Register, name] } : i)],
        };
    }

    public static async Task<OverlayNode> StartAsync(IrmdConfig config, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var node = OverlayNode.Create(config, new OverlayNodeOptions { LoggerFactory = loggerFactory });
        try
        {
            await node.StartAsync(cancellationToken);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The client's <see cref="Client.OverlayDialer"/>: a reliable flow (<c>qos data</c>) to the name, as a byte stream.
    /// Right after start the node may still be enrolling, or the name not yet in the directory: the dial waits for it,
    /// bounded by the caller's token (the connector's connect timeout).
    /// </summary>
    public static Client.OverlayDialer Dialer(OverlayNode node) => async (name, cancellationToken) =>
    {
        while (!await node.CanResolveAsync(name, cancellationToken))
        {
            await Task.Delay(ResolvePoll, cancellationToken);
        }
        var flow = await node.AllocAsync(name, QosSpec.Data, cancellationToken);
        return flow.AsStream();
    };
}
