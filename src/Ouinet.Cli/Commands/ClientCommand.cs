using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Ouinet.Cache.Storage;
using Ouinet.Cli.Configuration;
using Microsoft.Extensions.Logging;
using Ouinet.Client;
using Ouinet.Client.Logging;
using Ouinet.Overlay;

namespace Ouinet.Cli.Commands;

/// <summary>
/// <c>ouinet client --repo DIR</c>: runs a client (the local proxy a browser uses) from its repository. On first start
/// it writes the documented <c>ouinet-client.conf</c> and the TLS interception CA there. Options come, in Ouinet's
/// precedence, from the command line, then <c>ouinet-client.saved.conf</c> (persistent options, rewritten at every start;
/// <c>--drop-saved-opts</c> removes it first), then <c>ouinet-client.conf</c>, then the defaults.
/// </summary>
internal static class ClientCommand
{
    public const string ConfigFileName = "ouinet-client.conf";
    public const string SavedFileName = "ouinet-client.saved.conf";
    public const string EndpointsFileName = "endpoints.json";

    /// <summary>How long running transfers get to finish on Ctrl+C/SIGTERM.</summary>
    public static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(5);

    /// <summary>The client's options (Ouinet's names): one definition behind <c>--help</c>, the config files and the default file.</summary>
    public static OptionSet Options { get; } = new(
    [
        new("listen-on-tcp", OptionKind.Value, "HTTP proxy endpoint IP:PORT (IPv6 as [ADDR]:PORT; port 0 picks one).", Default: "127.0.0.1:8077", ValueName: "IP:PORT"),
        new("injector-ep", OptionKind.Value, "Injector endpoint tcp:IP:PORT or utp:IP:PORT, or overlay:NAME over the overlay of overlay-config (TLS when injector-tls-cert-file is set).", ValueName: "TYPE:ENDPOINT"),
        OverlayHost.ConfigOption("needed by injector-ep overlay:NAME"),
        new("injector-credentials", OptionKind.Value, "user:password for the injector (Proxy-Authorization: Basic); needs injector-ep.", ValueName: "USER:PASSWORD"),
        new("injector-tls-cert-file", OptionKind.Value, "The injector's TLS certificate (a copy of its tls-cert.pem): enables TLS to the injector, pinned to exactly this certificate.", ValueName: "FILE"),
        new("cache-http-public-key", OptionKind.Value, "The injector's Ed25519 public key (64 hex or 52 base32 characters): every injected or cached response is verified with it. Required to use the injector or a static cache.", ValueName: "KEY"),
        new("cache-type", OptionKind.List, "Distributed cache type: bep5-http (entries announced in the BitTorrent DHT, served to and fetched from other clients over uTP).", ValueName: "TYPE"),
        new("udp-mux-port", OptionKind.Value, "UDP port shared by the DHT and uTP; default: the last one used (last_used_udp_port), else 28729, else any; 0 = any free port.", ValueName: "PORT"),
        new("udp-mux-address", OptionKind.Value, "Address the UDP socket binds to (ours); 127.0.0.1 keeps the DHT and uTP on loopback.", Default: "0.0.0.0", ValueName: "IP"),
        new("bt-allow-martians", OptionKind.Flag, "Accept DHT peers with invalid or suspicious endpoints (loopback, private; for testing).", Default: "false"),
        new("max-simultaneous-announcements", OptionKind.Value, "Group announcements to the DHT running at once.", Default: "16", ValueName: "N"),
        new("disable-bridge-announcement", OptionKind.Flag, "Do not announce this client as a bridge to the injector.", Default: "false"),
        new("cache-static-root", OptionKind.Value, "Content folder of a read-only static cache (made with ouinet inject), served as verified entries.", ValueName: "DIR"),
        new("cache-static-repo", OptionKind.Value, "The static cache's entry folder; default <cache-static-root>/.ouinet. Needs cache-static-root.", ValueName: "DIR"),
        new("max-cached-age", OptionKind.Value, "Entries injected longer ago than this many seconds are not served from the local cache; 0 keeps nothing, -1 keeps everything.", Default: "604800", ValueName: "SECONDS"),
        new("cache-private", OptionKind.Flag, "Also store responses marked Cache-Control: private when the request looked personal (never X-Ouinet-Private ones). USE WITH CAUTION.", Default: "false"),
        new("local-domain", OptionKind.Value, "Top-level domain of the local network: its hosts go to the origin only and are never cached.", Default: "local", ValueName: "TLD"),
        new("allow-private-targets", OptionKind.Flag, "Let loopback, private and local-domain targets use the injector and the cache (otherwise they go to the origin only).", Default: "false"),
        new("tls-ca-cert-store-file", OptionKind.List, "PEM file of certificate authorities trusted for origin TLS besides the system store (repeatable).", ValueName: "FILE"),
        new("tls-ca-cert-store-dir", OptionKind.Value, "Folder of PEM certificate authorities (*.pem, *.crt) trusted for origin TLS besides the system store.", ValueName: "DIR"),
        new("tls-intercept-port", OptionKind.List, "CONNECT port whose TLS the client terminates with its CA (repeatable; 443 always is); other ports are tunnelled to the origin.", ValueName: "PORT"),
        new("request-body-limit", OptionKind.Value, "Largest request body in KiB (held in memory so that a failed mechanism can be followed by another); 0 = unlimited.", Default: "102400", ValueName: "KIB"),
        new("front-end-ep", OptionKind.Value, "Front-end (status page, switches, JSON API) endpoint IP:PORT; port 0 picks one; \"none\" turns the front-end off.", Default: "127.0.0.1:8078", ValueName: "IP:PORT"),
        new("frontend-credentials", OptionKind.Value, "user:password the front-end asks for (HTTP Basic); the FRONTEND_CREDENTIALS environment variable, when set, wins.", ValueName: "USER:PASSWORD"),
        new("log-level", OptionKind.Value, $"Log level: {string.Join(", ", OuinetLogging.LevelNames)}.", Default: "INFO", ValueName: "LEVEL", Persistent: true),
        new("bt-bootstrap-extra", OptionKind.List, "Extra DHT bootstrap node HOST or HOST:PORT (port 6881 by default; IPv6 as [ADDR]:PORT), repeatable.", ValueName: "HOST[:PORT]", Persistent: true),
        new("bt-bootstrap-no-default", OptionKind.Flag, "Use only the extra DHT bootstrap nodes, not the public routers.", Default: "false", Persistent: true),
        new("enable-log-file", OptionKind.Flag, "Also write the log (DEBUG and above) to <repo>/log.txt (15 MiB at most), downloadable from the front-end.", Default: "false", Persistent: true),
        new("disable-origin-access", OptionKind.Flag, "Do not fetch from origins directly.", Default: "false", Persistent: true),
        new("disable-injector-access", OptionKind.Flag, "Do not use the injector for injection (signed, cached content).", Default: "false", Persistent: true),
        new("disable-proxy-access", OptionKind.Flag, "Do not use the injector as a plain proxy.", Default: "false", Persistent: true),
        new("disable-cache-access", OptionKind.Flag, "Do not use the distributed cache (the front-end's \"Distributed cache\" switch).", Default: "false", Persistent: true),
    ]);

    // Ouinet C++ requires --repo; a per-user default lets `ouinet client` start with nothing else given.
    private static string DefaultRepository =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "ouinet", "client");

    public static Command Create()
    {
        var repo = new Option<DirectoryInfo>("--repo")
        {
            Description = "Client repository: config, saved options, TLS interception CA and cache (created if missing). Default: ~/.local/share/ouinet/client.",
            DefaultValueFactory = _ => new DirectoryInfo(DefaultRepository),
        };
        var dropSaved = new Option<bool>("--drop-saved-opts") { Description = $"Remove {SavedFileName} (saved persistent options) before starting." };
        var command = new Command("client", "Run a client: the local HTTP proxy for the browser, reaching pages through the origin, the injector and the verified cache.") { repo, dropSaved };
        Options.AddTo(command);
        command.SetAction((result, ct) => RunAsync(result, result.GetRequiredValue(repo).FullName, result.GetValue(dropSaved), ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult result, string repoPath, bool dropSaved, CancellationToken cancellationToken)
    {
        var output = result.InvocationConfiguration.Output;
        var error = result.InvocationConfiguration.Error;
        var configPath = Path.Combine(repoPath, ConfigFileName);
        var savedPath = Path.Combine(repoPath, SavedFileName);
        IReadOnlyDictionary<string, OptionValue> values;
        try
        {
            Directory.CreateDirectory(repoPath);
            if (!File.Exists(configPath))
            {
                await File.WriteAllTextAsync(configPath, Options.FormatConfigFile(
                    "Ouinet client configuration: key = value, # starts a comment.\n" +
                    "Command-line options override these, and so do the persistent options saved in " + SavedFileName + ".\n" +
                    "Generated on first start with the defaults; each option also exists as --NAME on the command line."), cancellationToken);
            }
            if (dropSaved && File.Exists(savedPath))
            {
                File.Delete(savedPath);
            }
            var saved = File.Exists(savedPath) ? ConfigFile.Load(savedPath) : [];
            values = Options.Resolve(result, ConfigFile.Load(configPath), saved);
        }
        catch (Exception e) when (e is ConfigFileException or OptionException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"ouinet client: {e.Message}");
            return 1;
        }

        var errors = new List<string>();
        if (!OuinetLogging.TryParseLevel(values.GetString("log-level"), out var level))
        {
            errors.Add($"log-level \"{values.GetString("log-level")}\" is not one of {string.Join(", ", OuinetLogging.LevelNames)}");
        }
        // The overlay node logs at log-level as set at start (the client's own level changes at run time, see below).
        using var overlayLogging = OuinetLogging.CreateFactory(output, level);
        await using var overlay = OverlayHost.Load(values, repoPath, errors) is { } irmd ? OverlayNode.Create(irmd, new OverlayNodeOptions { LoggerFactory = overlayLogging }) : null;
        var options = new ClientOptions
        {
            Repository = repoPath,
            ListenOnTcp = values.GetEndPoint("listen-on-tcp", errors) ?? ClientOptions.DefaultProxyEndPoint,
            InjectorEndpoint = values.GetString("injector-ep"),
            OverlayDialer = overlay is null ? null : OverlayHost.Dialer(overlay),
            InjectorCredentials = values.GetString("injector-credentials"),
            InjectorTlsCertificateFile = values.GetString("injector-tls-cert-file") is { } certFile ? Path.GetFullPath(certFile, repoPath) : null,
            CacheHttpPublicKey = values.GetString("cache-http-public-key"),
            CacheTypes = values.GetList("cache-type"),
            CacheStaticRoot = values.GetString("cache-static-root") is { } root ? Path.GetFullPath(root, repoPath) : null,
            CacheStaticRepo = values.GetString("cache-static-repo") is { } staticRepo ? Path.GetFullPath(staticRepo, repoPath) : null,
            MaxCachedAge = ParseMaxCachedAge(values, errors),
            CachePrivate = values.GetFlag("cache-private"),
            LocalDomain = values.GetString("local-domain") ?? "local",
            AllowPrivateTargets = values.GetFlag("allow-private-targets"),
            ExtraTrustedCertificates = InjectorCommand.LoadAuthorities(values, errors),
            TlsInterceptPorts = [443, .. ParsePorts(values, errors)],
            RequestBodyLimit = ParseLong(values, "request-body-limit", errors) is var kib && kib > 0 ? kib * 1024 : long.MaxValue,
            DisableOriginAccess = values.GetFlag("disable-origin-access"),
            DisableInjectorAccess = values.GetFlag("disable-injector-access"),
            DisableProxyAccess = values.GetFlag("disable-proxy-access"),
            UdpMuxPort = values.GetString("udp-mux-port") is { } udpPort ? (int)ParseLong(values, "udp-mux-port", errors) : null,
            UdpMuxAddress = ParseAddress(values, "udp-mux-address", errors),
            BtBootstrapExtra = values.GetList("bt-bootstrap-extra"),
            BtBootstrapNoDefault = values.GetFlag("bt-bootstrap-no-default"),
            BtAllowMartians = values.GetFlag("bt-allow-martians"),
            MaxSimultaneousAnnouncements = (int)Math.Min(int.MaxValue, ParseLong(values, "max-simultaneous-announcements", errors)),
            DisableBridgeAnnouncement = values.GetFlag("disable-bridge-announcement"),
            DisableDistributedCache = values.GetFlag("disable-cache-access"),
            FrontEndEndPoint = values.GetString("front-end-ep") is "none" ? null : values.GetEndPoint("front-end-ep", errors) ?? ClientOptions.DefaultFrontEndEndPoint,
            FrontEndCredentials = Environment.GetEnvironmentVariable("FRONTEND_CREDENTIALS") is { Length: > 0 } fromEnvironment ? fromEnvironment : values.GetString("frontend-credentials"),
            LogLevel = level is LogLevel.None ? LogLevel.Information : level,
            EnableLogFile = values.GetFlag("enable-log-file"),
        };
        errors.AddRange(options.Validate());
        if (errors.Count > 0)
        {
            foreach (var message in errors.Distinct())
            {
                await error.WriteLineAsync($"ouinet client: {message}");
            }
            return 1;
        }
        try
        {
            AtomicFile.WriteText(savedPath, Options.FormatSavedOptions(values));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"ouinet client: cannot save persistent options to {savedPath}: {e.Message}");
        }

        try
        {
            if (overlay is not null)
            {
                await overlay.StartAsync(cancellationToken);
            }
        }
        catch (SocketException e)
        {
            await error.WriteLineAsync($"ouinet client: cannot start the overlay node (overlay-config): {e.Message}");
            return 1;
        }
        // The client filters by its own level (log-level, changed at run time from the front-end): let everything through here.
        using var loggerFactory = OuinetLogging.CreateFactory(output, LogLevel.Trace);
        await using var client = new OuinetClient(options, loggerFactory);
        var saver = new SavedOptionsWriter(savedPath, values, error);
        client.Switches.Changed += saver.Save;
        IPEndPoint endpoint;
        try
        {
            endpoint = await client.StartAsync(cancellationToken);
        }
        catch (SocketException e)
        {
            await error.WriteLineAsync($"ouinet client: cannot listen on {options.ListenOnTcp} (proxy) or {options.FrontEndEndPoint?.ToString() ?? "-"} (front-end): {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or System.Security.Cryptography.CryptographicException)
        {
            await error.WriteLineAsync($"ouinet client: {e.Message}");
            return 1;
        }
        AtomicFile.WriteText(Path.Combine(repoPath, EndpointsFileName), JsonSerializer.Serialize(new Dictionary<string, string?>
        {
            ["proxy_endpoint"] = endpoint.ToString(),
            ["frontend_tcp_endpoint"] = client.FrontEndEndPoint?.ToString(),
            ["frontend_unix_socket_endpoint"] = null,
            ["udp_mux_endpoint"] = client.DistributedCache?.GetSnapshot().LocalEndPoint?.ToString(),
        }) + "\n");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
        await client.StopAsync(ShutdownGrace);
        return 0;
    }

    private static IPAddress ParseAddress(IReadOnlyDictionary<string, OptionValue> values, string name, List<string> errors)
    {
        var text = values.GetString(name) ?? "0.0.0.0";
        if (IPAddress.TryParse(text, out var address))
        {
            return address;
        }
        errors.Add($"{name} \"{text}\" ({values[name].Source}) is not an IP address");
        return IPAddress.Any;
    }

    private static TimeSpan? ParseMaxCachedAge(IReadOnlyDictionary<string, OptionValue> values, List<string> errors)
    {
        var text = values.GetString("max-cached-age") ?? "604800";
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds) || seconds < -1)
        {
            errors.Add($"max-cached-age \"{text}\" ({values["max-cached-age"].Source}) must be a number of seconds, 0 or -1");
            return TimeSpan.FromDays(7);
        }
        return seconds == -1 ? null : TimeSpan.FromSeconds(seconds);
    }

    private static long ParseLong(IReadOnlyDictionary<string, OptionValue> values, string name, List<string> errors)
    {
        var text = values.GetString(name) ?? "0";
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= long.MaxValue / 1024)
        {
            return n;
        }
        errors.Add($"{name} \"{text}\" ({values[name].Source}) must be a whole number");
        return 0;
    }

    private static List<int> ParsePorts(IReadOnlyDictionary<string, OptionValue> values, List<string> errors)
    {
        var ports = new List<int>();
        foreach (var text in values.GetList("tls-intercept-port"))
        {
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536)
            {
                ports.Add(port);
            }
            else
            {
                errors.Add($"tls-intercept-port \"{text}\" must be a port from 1 to 65535");
            }
        }
        return ports;
    }
}
