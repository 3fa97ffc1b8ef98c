using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Ouinet.Cache.Storage;
using Ouinet.Cache.Store;
using Ouinet.Http;
using Ouinet.Protocol.Canonicalization;
using Ouinet.Protocol.Headers;
using Ouinet.Protocol.Keys;
using Ouinet.Protocol.Streams;

namespace Ouinet.Cache.StaticCache;

/// <summary>When an entry that already exists for a content file is signed again.</summary>
public enum OverwritePolicy
{
    /// <summary>Re-sign when the file changed since it was injected (newer modification time or another size).</summary>
    Older,
    /// <summary>Keep every existing entry.</summary>
    Never,
    /// <summary>Re-sign everything.</summary>
    Always,
}

/// <summary>What <see cref="StaticCacheBuilder"/> does.</summary>
public sealed record StaticCacheBuildOptions
{
    /// <summary>The static cache root: the content files, served by <c>body-path</c>.</summary>
    public required string ContentRoot { get; init; }

    /// <summary>The URI the root maps to; <c>ROOT/a/b.txt</c> becomes <c>&lt;prefix&gt;a/b.txt</c>.</summary>
    public required string UriPrefix { get; init; }

    /// <summary>The repository (<c>data-v3</c>, <c>dht_groups</c>); default <c>ContentRoot/.ouinet</c>.</summary>
    public string? Repository { get; init; }

    /// <summary>The resource group of every entry; by default each URI is its own group, as Ouinet's inject tool does.</summary>
    public string? Group { get; init; }

    public OverwritePolicy Overwrite { get; init; } = OverwritePolicy.Older;

    public int BlockSize { get; init; } = BlockSignaturesHeader.DefaultBlockSize;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public int MaxParallelism { get; init; } = Environment.ProcessorCount;

    public string RepositoryPath => Path.GetFullPath(Repository ?? Path.Combine(ContentRoot, ".ouinet"));
}

/// <summary>One content file to sign.</summary>
public sealed record ContentFile(string FullPath, string RelativePath, long Length, DateTimeOffset LastModified);

/// <summary>What a build did.</summary>
public sealed record StaticCacheBuildResult(int Signed, int Skipped, long SignedBytes, IReadOnlyList<(string RelativePath, string Error)> Failures, string Repository);

/// <summary>
/// Builds a static cache from a folder of content files (what <c>ouinet inject</c> does): each file is signed as if
/// the injector had fetched it from <c>&lt;prefix&gt;&lt;path&gt;</c> (200, Content-Type from the extension,
/// Last-Modified from the file), and its entry points at the file by <c>body-path</c> instead of copying it. Entries are
/// written atomically, files are signed in parallel, and a file that fails is reported without stopping the others.
/// </summary>
public static class StaticCacheBuilder
{
    /// <summary>The regular files under the root, skipping the repository itself and hidden <c>.ouinet</c> folders.</summary>
    public static IReadOnlyList<ContentFile> FindContent(StaticCacheBuildOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var root = Path.GetFullPath(options.ContentRoot);
        var repository = options.RepositoryPath;
        var files = new List<ContentFile>();
        var pending = new Stack<DirectoryInfo>([new DirectoryInfo(root)]);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            foreach (var item in dir.EnumerateFileSystemInfos())
            {
                if (item.LinkTarget is not null)
                {
                    continue; // A link could lead out of the root; body-path resolution would refuse it anyway.
                }
                if (item is DirectoryInfo sub)
                {
                    if (sub.Name != ".ouinet" && !string.Equals(Path.TrimEndingDirectorySeparator(sub.FullName), repository, StringComparison.Ordinal))
                    {
                        pending.Push(sub);
                    }
                }
                else if (item is FileInfo file)
                {
                    var relative = Path.GetRelativePath(root, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
                    files.Add(new ContentFile(file.FullName, relative, file.Length, file.LastWriteTimeUtc));
                }
            }
        }
        files.Sort((a, b) => string.CompareOrdinal(a.RelativePath, b.RelativePath));
        return files;
    }

    /// <summary>
    /// Signs <paramref name="files"/> (from <see cref="FindContent"/>) into the repository. <paramref name="progress"/>
    /// hears of every block signed (its byte count) and every file done (its 0-byte report with <c>done: true</c>).
    /// </summary>
    public static async Task<StaticCacheBuildResult> BuildAsync(
        InjectorPrivateKey key,
        StaticCacheBuildOptions options,
        IReadOnlyList<ContentFile> files,
        Action<long, bool>? progress = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(files);
        if (!CanonicalUri.TryNormalize(options.UriPrefix, out var prefix, out var uriError))
        {
            throw new ArgumentException($"The URI prefix {options.UriPrefix} is not an absolute http(s) URI: {uriError}.", nameof(options));
        }
        if (!prefix.EndsWith('/'))
        {
            prefix += "/";
        }
        var store = SignedStore.Open(options.RepositoryPath, Path.GetFullPath(options.ContentRoot), logger: logger ?? NullLogger.Instance);
        int signed = 0, skipped = 0;
        long signedBytes = 0;
        var failures = new List<(string, string)>();
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelism, CancellationToken = cancellationToken },
            async (file, ct) =>
            {
                try
                {
                    var uri = ContentUri.For(prefix, file.RelativePath);
                    if (IsUpToDate(store.Find(uri), file, options.Overwrite))
                    {
                        Interlocked.Increment(ref skipped);
                        progress?.Invoke(file.Length, true);
                        return;
                    }
                    await SignFileAsync(store, key, options, uri, file, progress, ct);
                    Interlocked.Increment(ref signed);
                    Interlocked.Add(ref signedBytes, file.Length);
                    progress?.Invoke(0, true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or InvalidOperationException or ArgumentException)
                {
                    lock (failures)
                    {
                        failures.Add((file.RelativePath, e.Message));
                    }
                    progress?.Invoke(0, true);
                }
            });
        failures.Sort((a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        return new StaticCacheBuildResult(signed, skipped, signedBytes, failures, store.Repository);
    }

    private static bool IsUpToDate(StoredEntryInfo? existing, ContentFile file, OverwritePolicy policy) => existing is not null && policy switch
    {
        OverwritePolicy.Never => true,
        OverwritePolicy.Always => false,
        // Strictly after: a file changed within the second it was signed is signed again.
        _ => existing.DataSize == file.Length && existing.InjectionTimestamp > file.LastModified.ToUnixTimeSeconds(),
    };

    private static async Task SignFileAsync(
        SignedStore store, InjectorPrivateKey key, StaticCacheBuildOptions options, string uri, ContentFile file, Action<long, bool>? progress, CancellationToken ct)
    {
        var bodyPathError = BodyPath.Validate(file.RelativePath);
        if (bodyPathError is not null)
        {
            throw new InvalidDataException(bodyPathError);
        }
        var now = options.TimeProvider.GetUtcNow();
        var origin = new HttpResponseHead(200);
        origin.Fields.Add("Date", now.ToString("r", CultureInfo.InvariantCulture));
        origin.Fields.Add("Content-Type", ContentTypes.For(file.RelativePath));
        origin.Fields.Add("Last-Modified", file.LastModified.ToString("r", CultureInfo.InvariantCulture));
        var signer = new EntrySigner(origin, key, new ResponseSigningOptions
        {
            Uri = uri,
            Injection = InjectionHeader.New(now),
            BlockSize = options.BlockSize,
            TimeProvider = options.TimeProvider,
        });

        await using var entry = store.BeginEntry(uri);
        entry.UseBodyPath(file.RelativePath);
        await using var body = new FileStream(file.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
        var result = await signer.SignBodyAsync(body, async (block, data, c) =>
        {
            await entry.AppendSigsLineAsync(SigsLine.Create(block.Offset, block.Signature.Span, block.Hash.Span, block.PreviousChainedHash.Span), c);
            progress?.Invoke(data.Length, false);
        }, ct);
        if (result.DataSize != file.Length)
        {
            throw new InvalidDataException($"the file changed while it was signed ({file.Length} bytes before, {result.DataSize} read)");
        }
        await entry.CommitAsync(result.StoredHead, options.Group ?? uri, ct);
    }
}
