using System.CommandLine;
using System.Globalization;
using Ouinet.Cache.StaticCache;
using Ouinet.Cli.Inject;
using Ouinet.Protocol.Keys;

namespace Ouinet.Cli.Commands;

/// <summary>
/// <c>ouinet inject</c>: signs a folder of content files into a static cache, as if the injector had fetched each one
/// from <c>--uri-prefix</c> + its path.
/// </summary>
internal static class InjectCommand
{
    public static Command Create()
    {
        var repo = new Option<DirectoryInfo>("--repo")
        {
            Description = "Injector repository holding ed25519-private-key (created there, owner-only, when missing).",
            Required = true,
        };
        var prefix = new Option<string>("--uri-prefix")
        {
            Description = "URI of the content root: CONTENT/a/b.html is signed as <prefix>a/b.html.",
            Required = true,
        };
        var content = new Option<DirectoryInfo>("--content")
        {
            Description = "Folder of content files: the static cache root (cache-static-root).",
            Required = true,
        };
        var output = new Option<DirectoryInfo>("--output")
        {
            Description = "Static cache repository to write (cache-static-repo); default CONTENT/.ouinet.",
        };
        var group = new Option<string>("--group") { Description = "Resource group for every entry (default: each URI is its own group)." };
        var overwrite = new Option<OverwritePolicy>("--overwrite")
        {
            Description = "Re-sign existing entries: older (when the file changed), never, always.",
            DefaultValueFactory = _ => OverwritePolicy.Older,
        };
        var command = new Command("inject", "Sign a folder of files into a static cache that Ouinet clients can serve and seed.")
        {
            repo, prefix, content, output, group, overwrite,
        };
        command.SetAction(async (result, ct) =>
        {
            var options = new StaticCacheBuildOptions
            {
                ContentRoot = result.GetRequiredValue(content).FullName,
                UriPrefix = result.GetRequiredValue(prefix),
                Repository = result.GetValue(output)?.FullName,
                Group = result.GetValue(group),
                Overwrite = result.GetValue(overwrite),
            };
            return await RunAsync(result.GetRequiredValue(repo).FullName, options, result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(string repo, StaticCacheBuildOptions options, TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (!Directory.Exists(options.ContentRoot))
        {
            error.WriteLine($"ouinet inject: no content folder at {options.ContentRoot}");
            return 1;
        }
        var keyExisted = File.Exists(Path.Combine(repo, InjectorKeyFiles.PrivateKeyFileName));
        InjectorPrivateKey key;
        try
        {
            key = InjectorKeyFiles.LoadOrCreate(repo);
        }
        catch (InvalidDataException e)
        {
            error.WriteLine($"ouinet inject: {e.Message}");
            return 1;
        }
        using (key)
        {
            if (!keyExisted)
            {
                output.WriteLine($"Created a new injector key in {repo}.");
            }
            var files = StaticCacheBuilder.FindContent(options);
            var bar = new ProgressBar(error, ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected,
                files.Sum(f => f.Length), files.Count, TimeProvider.System);
            StaticCacheBuildResult result;
            try
            {
                result = await StaticCacheBuilder.BuildAsync(key, options, files, (bytes, done) => bar.Advance(bytes, done ? 1 : 0), cancellationToken: ct);
            }
            catch (ArgumentException e)
            {
                error.WriteLine($"ouinet inject: {e.Message}");
                return 1;
            }
            finally
            {
                bar.Finish();
            }
            foreach (var (path, reason) in result.Failures)
            {
                output.WriteLine($"FAIL {path}: {reason}");
            }
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Signed {result.Signed} files ({ProgressBar.Size(result.SignedBytes)}), {result.Skipped} unchanged, {result.Failures.Count} failed, into {result.Repository}"));
            output.WriteLine($"Injector public key (for cache-http-public-key and ouinet verify): {key.PublicKey.ToHex()}");
            return result.Failures.Count == 0 ? 0 : 1;
        }
    }
}
