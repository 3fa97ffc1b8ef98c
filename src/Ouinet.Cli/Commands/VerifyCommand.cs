using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Ouinet.Cache.StaticCache;
using Ouinet.Http;
using Ouinet.Protocol;
using Ouinet.Protocol.Keys;
using Ouinet.Protocol.Streams;

namespace Ouinet.Cli.Commands;

/// <summary>
/// <c>ouinet verify</c>: checks a static cache (every entry, its groups) or one saved signed response against a
/// trusted injector key. Prints each failure with the entry and the reason; exits 1 on any.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var publicKey = CommonOptions.PublicKey();
        var stream = new Option<string>("--stream")
        {
            Description = "Check one saved signed response (an injector's or a peer's, head and body) instead of a cache; - reads standard input.",
        };
        var root = new Option<DirectoryInfo>("--root")
        {
            Description = "Static cache root that body-path entries point into (default: CACHEDIR when it holds .ouinet, else the repository's parent).",
        };
        var uri = new Option<string>("--uri") { Description = "With --stream: the URI the response must be for." };
        var cache = new Argument<DirectoryInfo>("CACHEDIR")
        {
            Description = "A static cache root (holding .ouinet) or repository (holding data-v3).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("verify", "Verify a static cache or a saved signed response against an injector's public key.")
        {
            publicKey, stream, root, uri, cache,
        };
        command.Validators.Add(result =>
        {
            var hasStream = result.GetResult(stream) is not null;
            var hasCache = result.GetResult(cache) is { Tokens.Count: > 0 };
            if (hasStream == hasCache)
            {
                result.AddError("Give either CACHEDIR or --stream FILE.");
            }
        });
        command.SetAction(async (result, ct) =>
        {
            var output = result.InvocationConfiguration.Output;
            var key = result.GetRequiredValue(publicKey);
            return result.GetValue(stream) is { } file
                ? await VerifyStreamAsync(file, key, result.GetValue(uri), output, ct)
                : await VerifyCacheAsync(result.GetRequiredValue(cache), result.GetValue(root), key, output, ct);
        });
        return command;
    }

    private static async Task<int> VerifyCacheAsync(DirectoryInfo dir, DirectoryInfo? root, InjectorPublicKey key, TextWriter output, CancellationToken ct)
    {
        var (repository, staticRoot) = Locate(dir.FullName, root?.FullName);
        if (!Directory.Exists(repository))
        {
            output.WriteLine($"FAIL {dir.FullName}: not a static cache (no .ouinet or data-v3 there)");
            return 1;
        }
        var report = await StaticCacheVerifier.VerifyAsync(repository, staticRoot, key, ProtocolVersion.Current, NullLogger.Instance, ct);
        foreach (var entry in report.RejectedEntries)
        {
            output.WriteLine($"FAIL {Path.GetRelativePath(repository, entry.Directory)}{(entry.Uri is null ? "" : $" ({entry.Uri})")}: {entry.Error.ToCode()}: {entry.Message}");
        }
        foreach (var problem in report.Problems)
        {
            output.WriteLine($"FAIL {Path.GetRelativePath(repository, problem.Path)}: {problem.Error.ToCode()}: {problem.Message}");
        }
        var valid = report.ValidEntries.Count();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{repository}: {report.Entries.Count} entries, {valid} verified, {report.Entries.Count - valid} failed; {report.Groups.Count} groups, {report.Problems.Count} other problems"));
        return report.IsValid ? 0 : 1;
    }

    /// <summary>The repository and the static root for a folder given on the command line.</summary>
    internal static (string Repository, string? StaticRoot) Locate(string dir, string? root)
    {
        var dotOuinet = Path.Combine(dir, ".ouinet");
        if (!Directory.Exists(Path.Combine(dir, Cache.Storage.EntryLocation.DataDirectoryName)) && Directory.Exists(dotOuinet))
        {
            return (dotOuinet, root ?? dir);
        }
        return (dir, root ?? Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(dir)));
    }

    private static async Task<int> VerifyStreamAsync(string file, InjectorPublicKey key, string? uri, TextWriter output, CancellationToken ct)
    {
        var name = file == "-" ? "(standard input)" : file;
        try
        {
            await using var input = file == "-" ? Console.OpenStandardInput() : File.OpenRead(file);
            await using var http = HttpMessageReader.Create(input);
            var head = await http.ReadResponseHeadAsync(ct);
            var options = new SignedResponseOptions { ExpectedUri = uri };
            using var reader = await SignedResponseReader.OpenAsync(head, http.ReadResponseBody(head, "GET"), key, options, ct);
            long bytes = 0;
            while (await reader.ReadBlockAsync(ct) is { } block)
            {
                bytes += block.Data.Length;
            }
            var injectedAt = DateTimeOffset.FromUnixTimeSeconds(reader.Injection.Timestamp).ToString("u", CultureInfo.InvariantCulture);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"OK {name}: {reader.Uri}, status {reader.SignedStatus}, {bytes} bytes verified ({Describe(reader)}), injection {reader.Injection.Id} at {injectedAt}"));
            return 0;
        }
        catch (OuinetVerificationException e)
        {
            output.WriteLine($"FAIL {name}: {e.Code}: {e.Message}");
        }
        catch (HttpParseException e)
        {
            output.WriteLine($"FAIL {name}: E_FORMAT: not an HTTP response: {e.Message}");
        }
        catch (IOException e)
        {
            output.WriteLine($"FAIL {name}: {e.Message}");
        }
        return 1;
    }

    private static string Describe(SignedResponseReader reader) => reader.Kind switch
    {
        SignedResponseKind.Stream => string.Create(CultureInfo.InvariantCulture, $"signature stream, {reader.BlockCount} blocks of {reader.BlockSize}"),
        SignedResponseKind.Range => $"range {reader.Range?.ContentRange}",
        _ => "complete signature only",
    };
}
