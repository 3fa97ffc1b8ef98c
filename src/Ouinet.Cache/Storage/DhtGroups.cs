using System.Text;

namespace Ouinet.Cache.Storage;

/// <summary>
/// Resource groups on disk (<c>dht_groups</c>, format version 0): <c>&lt;sha1hex(group)&gt;/group_name</c> holds the
/// group, <c>items/&lt;sha1hex(uri)&gt;</c> holds each member URI (no trailing newline), and an optional
/// <c>pinned</c> marker exempts the group from purging. Entries announce their group's swarm instead of their own.
/// </summary>
public sealed class DhtGroups
{
    public const string DirectoryName = "dht_groups";
    private const string GroupNameFile = "group_name";
    private const string ItemsDirectory = "items";
    private const string PinnedFile = "pinned";

    /// <summary>Longest group name or URI accepted from disk: bounds what a crafted cache makes us read.</summary>
    public const int MaxNameBytes = 8 * 1024;

    private readonly string _root;
    private readonly Lock _lock = new();

    public DhtGroups(string repository) => _root = Path.Combine(repository, DirectoryName);

    /// <summary>Adds <paramref name="uri"/> to <paramref name="group"/>, creating the group when new.</summary>
    public void Add(string group, string uri)
    {
        lock (_lock)
        {
            var dir = GroupDirectory(group);
            Directory.CreateDirectory(Path.Combine(dir, ItemsDirectory));
            var nameFile = Path.Combine(dir, GroupNameFile);
            if (!File.Exists(nameFile))
            {
                AtomicFile.WriteText(nameFile, group);
            }
            AtomicFile.WriteText(Path.Combine(dir, ItemsDirectory, EntryLocation.KeyHash(uri)), uri);
        }
    }

    /// <summary>Removes <paramref name="uri"/> from every group; groups left empty (and not pinned) go too. Returns the groups left empty.</summary>
    public IReadOnlyList<string> RemoveEverywhere(string uri)
    {
        var emptied = new List<string>();
        lock (_lock)
        {
            var item = EntryLocation.KeyHash(uri);
            foreach (var (group, dir) in ReadGroups(errors: null))
            {
                var file = Path.Combine(dir, ItemsDirectory, item);
                if (!File.Exists(file))
                {
                    continue;
                }
                File.Delete(file);
                if (!Directory.EnumerateFileSystemEntries(Path.Combine(dir, ItemsDirectory)).Any())
                {
                    emptied.Add(group);
                    if (!File.Exists(Path.Combine(dir, PinnedFile)))
                    {
                        Directory.Delete(dir, recursive: true);
                    }
                }
            }
        }
        return emptied;
    }

    /// <summary>Every valid group name. Malformed group folders are reported through <paramref name="errors"/> and skipped.</summary>
    public IReadOnlyList<string> Groups(Action<string>? errors = null)
    {
        lock (_lock)
        {
            return [.. ReadGroups(errors).Select(g => g.Group)];
        }
    }

    /// <summary>The URIs in <paramref name="group"/> (empty when the group does not exist).</summary>
    public IReadOnlyList<string> Items(string group, Action<string>? errors = null)
    {
        lock (_lock)
        {
            var items = Path.Combine(GroupDirectory(group), ItemsDirectory);
            if (!Directory.Exists(items))
            {
                return [];
            }
            var uris = new List<string>();
            foreach (var file in Directory.EnumerateFiles(items))
            {
                var uri = ReadName(file, errors);
                if (uri is null)
                {
                    continue;
                }
                if (EntryLocation.KeyHash(uri) != Path.GetFileName(file))
                {
                    errors?.Invoke($"{file}: the file name is not the SHA-1 of the URI it holds");
                    continue;
                }
                uris.Add(uri);
            }
            uris.Sort(StringComparer.Ordinal);
            return uris;
        }
    }

    /// <summary>The groups <paramref name="uri"/> belongs to.</summary>
    public IReadOnlyList<string> GroupsOf(string uri)
    {
        lock (_lock)
        {
            var item = EntryLocation.KeyHash(uri);
            return [.. ReadGroups(errors: null).Where(g => File.Exists(Path.Combine(g.Directory, ItemsDirectory, item))).Select(g => g.Group)];
        }
    }

    public bool IsPinned(string group) => File.Exists(Path.Combine(GroupDirectory(group), PinnedFile));

    /// <summary>Pins or unpins an existing group; false when there is no such group.</summary>
    public bool SetPinned(string group, bool pinned)
    {
        lock (_lock)
        {
            var dir = GroupDirectory(group);
            if (!File.Exists(Path.Combine(dir, GroupNameFile)))
            {
                return false;
            }
            var marker = Path.Combine(dir, PinnedFile);
            if (pinned)
            {
                AtomicFile.Write(marker, []);
            }
            else
            {
                File.Delete(marker);
            }
            return true;
        }
    }

    private string GroupDirectory(string group) => Path.Combine(_root, EntryLocation.KeyHash(group));

    private IEnumerable<(string Group, string Directory)> ReadGroups(Action<string>? errors)
    {
        if (!Directory.Exists(_root))
        {
            yield break;
        }
        foreach (var dir in Directory.EnumerateDirectories(_root).Order(StringComparer.Ordinal))
        {
            var name = ReadName(Path.Combine(dir, GroupNameFile), errors);
            if (name is null)
            {
                continue;
            }
            if (EntryLocation.KeyHash(name) != Path.GetFileName(dir))
            {
                errors?.Invoke($"{dir}: the folder name is not the SHA-1 of its group_name");
                continue;
            }
            yield return (name, dir);
        }
    }

    private static string? ReadName(string file, Action<string>? errors)
    {
        try
        {
            var info = new FileInfo(file);
            if (!info.Exists)
            {
                errors?.Invoke($"{file}: missing");
                return null;
            }
            if (info.Length > MaxNameBytes)
            {
                errors?.Invoke($"{file}: longer than {MaxNameBytes} bytes");
                return null;
            }
            var text = Encoding.UTF8.GetString(File.ReadAllBytes(file));
            if (text.Length == 0 || text.Contains('\n', StringComparison.Ordinal) || text.Contains('\0', StringComparison.Ordinal))
            {
                errors?.Invoke($"{file}: empty, or holds a newline or NUL");
                return null;
            }
            return text;
        }
        catch (IOException e)
        {
            errors?.Invoke($"{file}: {e.Message}");
            return null;
        }
    }
}
