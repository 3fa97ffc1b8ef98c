using Ouinet.Cache.Storage;
using Ouinet.Cli.Configuration;
using Ouinet.Client;
using Ouinet.Client.Logging;

namespace Ouinet.Cli.Commands;

/// <summary>
/// Rewrites <c>ouinet-client.saved.conf</c> whenever a persistent option changes while the client runs (the front-end's
/// switches), as Ouinet does: the values resolved at start with the switches' current state over them.
/// </summary>
internal sealed class SavedOptionsWriter(string path, IReadOnlyDictionary<string, OptionValue> startValues, TextWriter error)
{
    private readonly Lock _lock = new();

    public void Save(ClientSwitchState state)
    {
        var values = new Dictionary<string, OptionValue>(startValues, StringComparer.Ordinal)
        {
            ["log-level"] = Changed(OuinetLogLevels.Name(state.LogLevel)),
            ["enable-log-file"] = Changed(Flag(state.LogFile)),
            ["disable-origin-access"] = Changed(Flag(!state.OriginAccess)),
            ["disable-injector-access"] = Changed(Flag(!state.InjectorAccess)),
            ["disable-proxy-access"] = Changed(Flag(!state.ProxyAccess)),
            ["disable-cache-access"] = Changed(Flag(!state.DistributedCache)),
        };
        lock (_lock)
        {
            try
            {
                AtomicFile.WriteText(path, ClientCommand.Options.FormatSavedOptions(values));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"ouinet client: cannot save persistent options to {path}: {e.Message}");
            }
        }
    }

    private static string Flag(bool value) => value ? "true" : "false";

    private static OptionValue Changed(string value) => new([value], "front-end");
}
