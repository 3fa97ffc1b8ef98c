using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Ouinet.Cli.Configuration;
using Ouinet.Injector;
using Ouinet.Overlay;
using Ouinet.Protocol.Keys;

namespace Ouinet.Cli.Commands;

/// <summary>
/// <c>ouinet injector --repo DIR</c>: runs an injector from its repository. On first start it writes the documented
/// <c>ouinet-injector.conf</c>, the signing key pair and a self-signed TLS certificate there. Options come from the
/// command line and the config file (command line wins), with Ouinet's names. Ctrl+C or SIGTERM stops it gracefully.
/// With <c>listen-on-overlay NAME</c> it also runs an overlay node (<c>overlay-config</c>) and serves TLS over its flows.
/// </summary>
internal static class InjectorCommand
{
    /// <summary>How long running transfers get to finish on Ctrl+C/SIGTERM (within the CLI's termination timeout).</summary>
    public static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(10);

    /// <summary>The injector's options: the one definition behind <c>--help</c>, the config file reader and the default file.</summary>
    public static OptionSet Options { get; } = new(
    [
        new("listen-on-tcp", OptionKind.Value, "Cleartext HTTP endpoint IP:PORT (IPv6 as [ADDR]:PORT; port 0 picks one). For testing: clients should use TLS.", ConfigExample: "127.0.0.1:7070", ValueName: "IP:PORT"),
        new("listen-on-tcp-tls", OptionKind.Value, "HTTP over TLS endpoint IP:PORT, with the repository's tls-cert.pem (clients pin a copy of it).", ConfigExample: "127.0.0.1:7077", ValueName: "IP:PORT"),
        new("listen-on-utp-tls", OptionKind.Value, "HTTP over TLS over uTP endpoint IP:PORT (UDP, shared with the injector's DHT node, which announces it in the injectors swarm of the key).", ValueName: "IP:PORT"),
        new("listen-on-overlay", OptionKind.Value, "Overlay name to serve HTTP over TLS on (reliable flows in the overlay of overlay-config, which registers the name in its unicast layers).", ValueName: "NAME"),
        OverlayHost.ConfigOption("needed by listen-on-overlay"),
        new("bt-bootstrap-extra", OptionKind.List, "Extra DHT bootstrap node HOST or HOST:PORT for the injector's DHT node (with listen-on-utp-tls), repeatable.", ValueName: "HOST[:PORT]"),
        new("bt-bootstrap-no-default", OptionKind.Flag, "Use only the extra DHT bootstrap nodes, not the public routers.", Default: "false"),
        new("bt-allow-martians", OptionKind.Flag, "Accept DHT peers with invalid or suspicious endpoints (for testing).", Default: "false"),
        new("credentials", OptionKind.Value, "user:password that every request must carry as Proxy-Authorization: Basic; unset, the injector is an open proxy.", ValueName: "USER:PASSWORD"),
        new("restricted", OptionKind.Value, "Only inject URLs that this regular expression matches whole; implies disable-proxy.", ValueName: "REGEX"),
        new("disable-proxy", OptionKind.Flag, "Refuse plain proxy requests and CONNECT tunnels (only injection is served).", Default: "false"),
        new("allow-private-targets", OptionKind.Flag, "Let clients reach loopback, private and link-local addresses (checked after DNS resolution).", Default: "false"),
        new("tls-ca-cert-store-file", OptionKind.List, "PEM file of certificate authorities trusted for origin TLS besides the system store (repeatable).", ValueName: "FILE"),
        new("tls-ca-cert-store-dir", OptionKind.Value, "Folder of PEM certificate authorities (*.pem, *.crt) trusted for origin TLS besides the system store.", ValueName: "DIR"),
        new("log-level", OptionKind.Value, $"Log level: {string.Join(", ", OuinetLogging.LevelNames)}.", Default: "INFO", ValueName: "LEVEL"),
    ]);

    public static Command Create()
    {
        var repo = new Option<DirectoryInfo>("--repo")
        {
            Description = "Injector repository: config, keys, TLS certificate and endpoint files (created if missing).",
            Required = true,
        };
        var command = new Command("injector", "Run an injector: fetch pages for trusted clients and sign them so any peer can serve them.") { repo };
        Options.AddTo(command);
        command.SetAction((result, ct) => RunAsync(result, result.GetRequiredValue(repo).FullName, ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult result, string repoPath, CancellationToken cancellationToken)
    {
        var output = result.InvocationConfiguration.Output;
        var error = result.InvocationConfiguration.Error;
        Directory.CreateDirectory(repoPath);
        var repository = new InjectorRepository(repoPath);
        IReadOnlyDictionary<string, OptionValue> values;
        try
        {
            if (!File.Exists(repository.ConfigFile))
            {
                File.WriteAllText(repository.ConfigFile, Options.FormatConfigFile(
                    "Ouinet injector configuration: key = value, # starts a comment. Command-line options override these.\n" +
                    "Generated on first start with the defaults; each option also exists as --NAME on the command line."));
            }
            values = Options.Resolve(result, ConfigFile.Load(repository.ConfigFile));
        }
        catch (Exception e) when (e is ConfigFileException or OptionException or IOException)
        {
            error.WriteLine($"ouinet injector: {e.Message}");
            return 1;
        }

        var errors = new List<string>();
        if (!OuinetLogging.TryParseLevel(values.GetString("log-level"), out var level))
        {
            errors.Add($"log-level \"{values.GetString("log-level")}\" is not one of {string.Join(", ", OuinetLogging.LevelNames)}");
        }
        var tcp = values.GetEndPoint("listen-on-tcp", errors);
        var tls = values.GetEndPoint("listen-on-tcp-tls", errors);
        var utpTls = values.GetEndPoint("listen-on-utp-tls", errors);
        var bootstrap = new List<EndPoint>();
        foreach (var text in values.GetList("bt-bootstrap-extra"))
        {
            if (Client.ClientOptions.TryParseBootstrap(text, out var node))
            {
                bootstrap.Add(node!);
            }
            else
            {
                errors.Add($"bt-bootstrap-extra \"{text}\": expected HOST, HOST:PORT, IP:PORT or [IPv6]:PORT");
            }
        }
        var authorities = LoadAuthorities(values, errors);
        var overlayName = values.GetString("listen-on-overlay");
        var overlay = OverlayHost.Load(values, repoPath, errors);
        if (overlayName is not null && overlay is null && values.GetString(OverlayHost.ConfigOptionName) is null)
        {
            errors.Add("listen-on-overlay: needs the overlay node's configuration (overlay-config)");
        }
        InjectorPrivateKey key;
        X509Certificate2 certificate;
        try
        {
            key = repository.LoadOrCreateSigningKey();
            certificate = repository.LoadOrCreateTlsCertificate();
        }
        catch (Exception e) when (e is InvalidDataException or IOException or System.Security.Cryptography.CryptographicException)
        {
            error.WriteLine($"ouinet injector: {e.Message}");
            return 1;
        }
        using (key)
        using (certificate)
        {
            using var loggerFactory = OuinetLogging.CreateFactory(output, level);
            await using var node = overlay is null ? null : OverlayNode.Create(overlayName is null ? overlay : OverlayHost.Registering(overlay, overlayName), new OverlayNodeOptions { LoggerFactory = loggerFactory });
            var options = new InjectorOptions
            {
                SigningKey = key,
                TcpEndpoints = tcp is null ? [] : [tcp],
                TlsEndpoints = tls is null ? [] : [tls],
                StreamListeners = node is not null && overlayName is not null ? [new OverlayInjectorListener(node.Bind(overlayName))] : [],
                TlsCertificate = certificate,
                Credentials = values.GetString("credentials"),
                Restricted = values.GetString("restricted"),
                DisableProxy = values.GetFlag("disable-proxy"),
                AllowPrivateTargets = values.GetFlag("allow-private-targets"),
                ExtraTrustedCertificates = authorities,
            };
            errors.AddRange(options.Validate());
            if (errors.Count > 0)
            {
                foreach (var message in errors.Distinct())
                {
                    error.WriteLine($"ouinet injector: {message}");
                }
                return 1;
            }
            await using var utp = utpTls is null ? null : await UtpInjectorEndpoint.StartAsync(utpTls, key.PublicKey, bootstrap,
                !values.GetFlag("bt-bootstrap-no-default"), values.GetFlag("bt-allow-martians"), repoPath, loggerFactory, cancellationToken);
            if (utp is not null)
            {
                options = options with { StreamListeners = [.. options.StreamListeners, utp.Listener] };
            }
            await using var server = new InjectorServer(options, loggerFactory);
            repository.ClearEndpointFiles();
            try
            {
                if (node is not null)
                {
                    await node.StartAsync(cancellationToken);
                }
                repository.WriteEndpointFiles(await server.StartAsync(cancellationToken));
                if (utp is not null)
                {
                    File.WriteAllText(Path.Combine(repoPath, UtpInjectorEndpoint.EndpointFileName), utp.EndPoint.ToString());
                }
            }
            catch (SocketException e)
            {
                error.WriteLine($"ouinet injector: cannot listen: {e.Message}");
                return 1;
            }
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
            await server.StopAsync(ShutdownGrace);
            repository.ClearEndpointFiles();
            File.Delete(Path.Combine(repoPath, UtpInjectorEndpoint.EndpointFileName));
            return 0;
        }
    }

    internal static List<X509Certificate2> LoadAuthorities(IReadOnlyDictionary<string, OptionValue> values, List<string> errors)
    {
        var files = values.GetList("tls-ca-cert-store-file").ToList();
        if (values.GetString("tls-ca-cert-store-dir") is { } dir)
        {
            if (Directory.Exists(dir))
            {
                files.AddRange(Directory.EnumerateFiles(dir, "*.pem").Concat(Directory.EnumerateFiles(dir, "*.crt")).Order(StringComparer.Ordinal));
            }
            else
            {
                errors.Add($"tls-ca-cert-store-dir: no folder {dir}");
            }
        }
        var certificates = new List<X509Certificate2>();
        foreach (var file in files)
        {
            try
            {
                var collection = new X509Certificate2Collection();
                collection.ImportFromPemFile(file);
                if (collection.Count == 0)
                {
                    errors.Add($"tls-ca-cert-store-file: no certificate in {file}");
                }
                certificates.AddRange(collection);
            }
            catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException or UnauthorizedAccessException)
            {
                errors.Add($"tls-ca-cert-store-file: {file}: {e.Message}");
            }
        }
        return certificates;
    }
}
