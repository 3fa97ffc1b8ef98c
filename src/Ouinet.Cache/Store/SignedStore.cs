using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Ouinet.Cache.Storage;

namespace Ouinet.Cache.Store;

/// <summary>
/// Signed cache entries on disk in the <c>data-v3</c> layout with their resource groups (<c>dht_groups</c>): a client's
/// own store (read/write) or a static cache (read-only, bodies possibly in a static root through <c>body-path</c>).
/// <para>
/// Consistency: an entry is written in a staging directory and swapped in whole (<see cref="AtomicDirectory"/>); a
/// striped per-URI lock orders that swap with the opening of an entry's files, which are all opened at once, so a reader
/// never mixes two versions; open handles keep the old files alive after a replacement. Opening a writable store
/// recovers from interrupted writes first. An in-memory index (URI → size, injection, groups) is built by scanning;
/// malformed directories are skipped and reported, never deleted.
/// </para>
/// <para>The store checks structure only (sizes, counts, offsets); signatures are checked before entries get here
/// (a client verifies what it stores; a static cache goes through <see cref="StaticCache.StaticCacheVerifier"/>).</para>
/// </summary>
public sealed class SignedStore
{
    private readonly SignedStoreOptions _options;
    private readonly ILogger _logger;
    private readonly Lock[] _stripes;
    private readonly Lock _indexLock = new();
    private readonly Dictionary<string, StoredEntryInfo> _index = new(StringComparer.Ordinal);
    private readonly List<string> _problems = [];
    private long _totalBytes;

    private SignedStore(string repository, string? staticRoot, SignedStoreOptions options, ILogger logger)
    {
        Repository = repository;
        StaticRoot = staticRoot;
        _options = options;
        _logger = logger;
        _stripes = [.. Enumerable.Range(0, options.LockStripes).Select(_ => new Lock())];
        Groups = new DhtGroups(repository);
    }

    /// <summary>The repository folder (holding <c>data-v3</c> and <c>dht_groups</c>).</summary>
    public string Repository { get; }

    /// <summary>The static cache root <c>body-path</c> files are relative to, if any.</summary>
    public string? StaticRoot { get; }

    public bool IsReadOnly => _options.ReadOnly;

    /// <summary>
    /// The resource groups. Membership changes made here directly (rather than through <see cref="EntryWriter.CommitAsync"/>
    /// or <see cref="Remove"/>) show in <see cref="StoredEntryInfo.Groups"/> only after reopening; pinning is read live.
    /// </summary>
    public DhtGroups Groups { get; }

    /// <summary>The indexed entries (a snapshot).</summary>
    public IReadOnlyList<StoredEntryInfo> Entries
    {
        get
        {
            lock (_indexLock)
            {
                return [.. _index.Values];
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_indexLock)
            {
                return _index.Count;
            }
        }
    }

    /// <summary>The sum of the indexed entries' data sizes (body bytes, whether in <c>body</c> or a <c>body-path</c> file).</summary>
    public long TotalBytes
    {
        get
        {
            lock (_indexLock)
            {
                return _totalBytes;
            }
        }
    }

    /// <summary>Directories skipped at open with the reason (the first <see cref="SignedStoreOptions.MaxReportedProblems"/>).</summary>
    public IReadOnlyList<string> ScanProblems { get; private set; } = [];

    /// <summary>How many directories or files the scan skipped.</summary>
    public int SkippedCount { get; private set; }

    /// <summary>
    /// Opens the store at <paramref name="repository"/> (created when writable and missing), recovering from
    /// interrupted writes unless read-only, and indexes its entries.
    /// </summary>
    public static SignedStore Open(string repository, string? staticRoot = null, SignedStoreOptions? options = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(repository);
        options ??= SignedStoreOptions.Default;
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid store options: " + string.Join(" ", errors), nameof(options));
        }
        repository = Path.GetFullPath(repository);
        if (!options.ReadOnly)
        {
            Directory.CreateDirectory(Path.Combine(repository, EntryLocation.DataDirectoryName));
        }
        else if (!Directory.Exists(repository))
        {
            throw new DirectoryNotFoundException($"No cache repository at {repository}.");
        }
        var store = new SignedStore(repository, staticRoot is null ? null : Path.GetFullPath(staticRoot), options, logger ?? NullLogger.Instance);
        store.Load();
        return store;
    }

    /// <summary>The index's record of <paramref name="uri"/>, or null.</summary>
    public StoredEntryInfo? Find(string uri)
    {
        lock (_indexLock)
        {
            return _index.GetValueOrDefault(uri);
        }
    }

    /// <summary>The entry directory of <paramref name="uri"/> (whether or not it exists).</summary>
    public string EntryDirectory(string uri) => Path.Combine(Repository, EntryLocation.RelativeDirectory(uri));

    /// <summary>Starts writing a new version of the entry for <paramref name="uri"/>; nothing is visible until committed.</summary>
    public EntryWriter BeginEntry(string uri)
    {
        ArgumentException.ThrowIfNullOrEmpty(uri);
        EnsureWritable();
        var target = EntryDirectory(uri);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var staged = AtomicDirectory.NewSiblingPath(target);
        Directory.CreateDirectory(staged);
        return new EntryWriter(this, uri, staged);
    }

    /// <summary>
    /// Opens the entry for <paramref name="uri"/>: null when there is none, or when it is corrupt (logged at Warning):
    /// unreadable head, head for another URI, body not of the data size, <c>sigs</c> not one line per block.
    /// </summary>
    public StoredEntry? TryOpen(string uri)
    {
        ArgumentException.ThrowIfNullOrEmpty(uri);
        var directory = EntryDirectory(uri);
        EntryFiles? files;
        string? error;
        lock (Stripe(uri))
        {
            files = EntryFiles.Open(directory, out error);
        }
        if (files is null)
        {
            if (error is not null)
            {
                Log.CorruptEntry(_logger, directory, error);
            }
            return null;
        }
        using (files)
        {
            var entry = StoredEntry.TryCreate(files, uri, StaticRoot, _options.MaxHeadBytes, out error);
            if (entry is null)
            {
                Log.CorruptEntry(_logger, directory, error!);
            }
            return entry;
        }
    }

    /// <summary>
    /// Removes the entry for <paramref name="uri"/> and its group memberships: the directory is renamed out of view in
    /// one step (gone for readers, and after a crash), then deleted. False when there was no entry.
    /// </summary>
    public bool Remove(string uri)
    {
        ArgumentException.ThrowIfNullOrEmpty(uri);
        EnsureWritable();
        string? aside;
        var directory = EntryDirectory(uri);
        lock (Stripe(uri))
        {
            aside = AtomicDirectory.MoveAsideForDeletion(directory);
            Groups.RemoveEverywhere(uri);
            lock (_indexLock)
            {
                if (_index.Remove(uri, out var old))
                {
                    _totalBytes -= old.DataSize;
                }
            }
        }
        if (aside is null)
        {
            return false;
        }
        Log.EntryRemoved(_logger, directory);
        if (!AtomicDirectory.Delete(aside))
        {
            Log.LeftoverNotDeleted(_logger, aside);
        }
        return true;
    }

    /// <summary>Removes every entry except those in a pinned group; returns how many went.</summary>
    public int Purge()
    {
        EnsureWritable();
        var pinned = new Dictionary<string, bool>(StringComparer.Ordinal);
        var removed = 0;
        foreach (var entry in Entries)
        {
            var keep = entry.Groups.Any(g =>
            {
                if (!pinned.TryGetValue(g, out var p))
                {
                    pinned[g] = p = Groups.IsPinned(g);
                }
                return p;
            });
            if (!keep && Remove(entry.Uri))
            {
                removed++;
            }
        }
        return removed;
    }

    /// <summary>Makes a staged entry visible (the writer's last step), then records it in its group and the index.</summary>
    internal void CommitStaged(string staged, StoredHeadFields fields, string? group)
    {
        var uri = fields.Uri;
        var target = EntryDirectory(uri);
        string? replaced;
        lock (Stripe(uri))
        {
            replaced = AtomicDirectory.CommitWithoutCleanup(staged, target);
            if (group is not null && !TryAddToGroup(group, uri))
            {
                group = null;
            }
            lock (_indexLock)
            {
                IReadOnlyList<string> groups = _index.GetValueOrDefault(uri)?.Groups ?? [];
                if (group is not null && !groups.Contains(group, StringComparer.Ordinal))
                {
                    groups = [.. groups, group];
                }
                Upsert(Info(fields, groups));
            }
        }
        Log.EntryCommitted(_logger, target);
        if (replaced is not null && !AtomicDirectory.Delete(replaced))
        {
            Log.LeftoverNotDeleted(_logger, replaced);
        }
    }

    /// <summary>Records a committed entry in its group; a failure is logged, and the entry stays committed without it.</summary>
    private bool TryAddToGroup(string group, string uri)
    {
        try
        {
            Groups.Add(group, uri);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.GroupNotRecorded(_logger, Path.Combine(DhtGroups.DirectoryName, EntryLocation.KeyHash(group)), e.Message);
            return false;
        }
    }

    private void Load()
    {
        var data = Path.Combine(Repository, EntryLocation.DataDirectoryName);
        if (!_options.ReadOnly)
        {
            foreach (var prefix in Directory.EnumerateDirectories(data))
            {
                var recovered = AtomicDirectory.Recover(prefix);
                if (recovered > 0)
                {
                    Log.Recovered(_logger, recovered, prefix);
                }
            }
        }
        if (!_options.ReadOnly)
        {
            RemoveGroupTemporaries();
        }
        var groupsByUri = ReadGroups();
        if (Directory.Exists(data))
        {
            ScanData(data, groupsByUri);
        }
        if (!_options.ReadOnly)
        {
            foreach (var uri in groupsByUri.Keys.Where(u => !_index.ContainsKey(u)))
            {
                Groups.RemoveEverywhere(uri);
                var item = Path.Combine(DhtGroups.DirectoryName, "*", "items", EntryLocation.KeyHash(uri));
                Log.DanglingGroupItem(_logger, item);
            }
        }
        ScanProblems = [.. _problems];
        Log.StoreOpened(_logger, Repository, _index.Count, _totalBytes, SkippedCount);
    }

    /// <summary>Deletes the temporary files of group writes a crash interrupted (they would read as malformed items).</summary>
    private void RemoveGroupTemporaries()
    {
        var root = Path.Combine(Repository, DhtGroups.DirectoryName);
        if (!Directory.Exists(root))
        {
            return;
        }
        var removed = 0;
        foreach (var group in Directory.EnumerateDirectories(root))
        {
            var items = Path.Combine(group, "items");
            var folders = Directory.Exists(items) ? new[] { group, items } : [group];
            foreach (var file in folders.SelectMany(f => Directory.EnumerateFiles(f)).Where(f => AtomicFile.IsTemporary(Path.GetFileName(f))).ToList())
            {
                File.Delete(file);
                removed++;
            }
        }
        if (removed > 0)
        {
            Log.Recovered(_logger, removed, root);
        }
    }

    private Dictionary<string, List<string>> ReadGroups()
    {
        var byUri = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var group in Groups.Groups(e => Skip(Path.Combine(Repository, DhtGroups.DirectoryName), e)))
        {
            foreach (var uri in Groups.Items(group, e => Skip(Path.Combine(Repository, DhtGroups.DirectoryName), e)))
            {
                if (!byUri.TryGetValue(uri, out var list))
                {
                    byUri[uri] = list = [];
                }
                list.Add(group);
            }
        }
        return byUri;
    }

    private void ScanData(string data, Dictionary<string, List<string>> groupsByUri)
    {
        foreach (var file in Directory.EnumerateFiles(data))
        {
            Skip(file, "a file where entry folders are expected");
        }
        foreach (var prefixDir in Directory.EnumerateDirectories(data).Order(StringComparer.Ordinal))
        {
            var prefix = Path.GetFileName(prefixDir);
            if (!EntryLocation.IsPrefixName(prefix))
            {
                Skip(prefixDir, "not a two-hex-digit entry prefix folder");
                continue;
            }
            foreach (var file in Directory.EnumerateFiles(prefixDir))
            {
                Skip(file, "a file where entry folders are expected");
            }
            foreach (var entryDir in Directory.EnumerateDirectories(prefixDir).Order(StringComparer.Ordinal))
            {
                var rest = Path.GetFileName(entryDir);
                if (_options.ReadOnly && AtomicDirectory.IsLeftover(rest))
                {
                    continue;
                }
                if (!EntryLocation.IsEntryDirectoryName(prefix, rest))
                {
                    Skip(entryDir, "not an entry folder name (38 lower-case hex digits)");
                    continue;
                }
                var info = ScanEntry(entryDir, prefix + rest, groupsByUri, out var error);
                if (info is null)
                {
                    SkipCorrupt(entryDir, error!);
                    continue;
                }
                Upsert(info);
            }
        }
    }

    private StoredEntryInfo? ScanEntry(string directory, string keyHash, Dictionary<string, List<string>> groupsByUri, out string? error)
    {
        using var files = EntryFiles.Open(directory, out error);
        if (files is null)
        {
            error ??= "vanished while scanning";
            return null;
        }
        var head = files.ReadHead(_options.MaxHeadBytes, out error);
        var fields = head is null ? null : StoredHeadFields.TryRead(head, out error);
        if (fields is null)
        {
            return null;
        }
        if (EntryLocation.KeyHash(fields.Uri) != keyHash)
        {
            error = $"the folder is not the SHA-1 of its {Protocol.OuinetHeaders.Uri}";
            return null;
        }
        if (!StoredEntry.CheckSigsLength(files.Sigs?.Length ?? 0, fields, out error)
            || files.TryResolveBody(fields.DataSize, StaticRoot, out var body, out error) != BodyStatus.Ok)
        {
            return null;
        }
        if (!ReferenceEquals(body, files.Body))
        {
            body?.Dispose();
        }
        return Info(fields, groupsByUri.GetValueOrDefault(fields.Uri) ?? []);
    }

    private static StoredEntryInfo Info(StoredHeadFields fields, IReadOnlyList<string> groups) =>
        new(fields.Uri, fields.DataSize, fields.Injection.Id, fields.Injection.Timestamp, fields.Version, groups);

    private void Upsert(StoredEntryInfo info)
    {
        if (_index.TryGetValue(info.Uri, out var old))
        {
            _totalBytes -= old.DataSize;
        }
        _index[info.Uri] = info;
        _totalBytes += info.DataSize;
    }

    private void SkipCorrupt(string path, string reason)
    {
        Log.CorruptEntry(_logger, path, reason);
        Record(path, reason);
    }

    private void Skip(string path, string reason)
    {
        Log.StrayItem(_logger, path, reason);
        Record(path, reason);
    }

    private void Record(string path, string reason)
    {
        SkippedCount++;
        if (_problems.Count < _options.MaxReportedProblems)
        {
            _problems.Add($"{path}: {reason}");
        }
    }

    private Lock Stripe(string uri) => _stripes[(uint)StringComparer.Ordinal.GetHashCode(uri) % (uint)_stripes.Length];

    private void EnsureWritable()
    {
        if (_options.ReadOnly)
        {
            throw new InvalidOperationException("The store is read-only.");
        }
    }
}
