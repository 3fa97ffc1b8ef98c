using System.Text;
using Ouinet.Cache.Storage;
using Ouinet.Protocol;

namespace Ouinet.Cache.StaticCache;

/// <summary>
/// Checks <c>dht_groups</c>: each folder is the SHA-1 of its <c>group_name</c>, each item file the SHA-1 of the URI it
/// holds, each listed URI has an entry folder; nothing else is there but an optional <c>pinned</c> marker. Names are
/// read with a size bound, as UTF-8, and may hold no NUL or newline.
/// </summary>
internal static class GroupVerifier
{
    private const string GroupNameFile = "group_name";
    private const string ItemsDirectory = "items";
    private const string PinnedFile = "pinned";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static List<StaticCacheGroup> Verify(string repository, List<StaticCacheProblem> problems, CancellationToken cancellationToken)
    {
        var groups = new List<StaticCacheGroup>();
        var root = Path.Combine(repository, DhtGroups.DirectoryName);
        if (!Directory.Exists(root))
        {
            return groups;
        }
        foreach (var path in Enumerate(root, problems))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!Directory.Exists(path))
            {
                problems.Add(new(path, OuinetVerificationError.Format, "a file where group folders are expected"));
                continue;
            }
            var group = VerifyGroup(repository, path, problems);
            if (group is not null)
            {
                groups.Add(group);
            }
        }
        return groups;
    }

    private static StaticCacheGroup? VerifyGroup(string repository, string directory, List<StaticCacheProblem> problems)
    {
        var name = ReadName(Path.Combine(directory, GroupNameFile), out var error);
        if (name is null)
        {
            problems.Add(new(directory, OuinetVerificationError.Group, $"group_name: {error}"));
            return null;
        }
        if (EntryLocation.KeyHash(name) != Path.GetFileName(directory))
        {
            problems.Add(new(directory, OuinetVerificationError.Group, "the folder name is not the SHA-1 of its group_name", name));
            return null;
        }
        var uris = new List<string>();
        foreach (var path in Enumerate(directory, problems))
        {
            var file = Path.GetFileName(path);
            if (file is GroupNameFile || (file is PinnedFile && File.Exists(path)) || (file is ItemsDirectory && Directory.Exists(path)))
            {
                continue;
            }
            problems.Add(new(path, OuinetVerificationError.Group, "not part of a group folder", name));
        }
        var items = Path.Combine(directory, ItemsDirectory);
        if (!Directory.Exists(items))
        {
            problems.Add(new(directory, OuinetVerificationError.Group, "no items folder", name));
            return null;
        }
        foreach (var item in Enumerate(items, problems))
        {
            var uri = ReadName(item, out error);
            if (uri is null)
            {
                problems.Add(new(item, OuinetVerificationError.Group, $"group item: {error}", name));
                continue;
            }
            if (EntryLocation.KeyHash(uri) != Path.GetFileName(item))
            {
                problems.Add(new(item, OuinetVerificationError.Group, "the item's file name is not the SHA-1 of the URI it holds", name));
                continue;
            }
            if (!Directory.Exists(Path.Combine(repository, EntryLocation.RelativeDirectory(uri))))
            {
                problems.Add(new(item, OuinetVerificationError.Group, "the group lists a URI that has no entry", name));
                continue;
            }
            uris.Add(uri);
        }
        uris.Sort(StringComparer.Ordinal);
        return new StaticCacheGroup(name, directory, uris);
    }

    private static List<string> Enumerate(string directory, List<StaticCacheProblem> problems)
    {
        try
        {
            return [.. Directory.EnumerateFileSystemEntries(directory).Order(StringComparer.Ordinal)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add(new(directory, OuinetVerificationError.Format, $"cannot be listed: {e.Message}"));
            return [];
        }
    }

    private static string? ReadName(string path, out string? error)
    {
        var status = EntryFile.TryOpen(path, followLinks: false, out var file, out error);
        if (status != EntryFileStatus.Opened)
        {
            error ??= "missing";
            return null;
        }
        using (file)
        {
            if (file!.Length is 0 or > DhtGroups.MaxNameBytes)
            {
                error = file.Length == 0 ? "empty" : $"longer than {DhtGroups.MaxNameBytes} bytes";
                return null;
            }
            var bytes = new byte[file.Length];
            if (!file.TryReadExactly(bytes, 0))
            {
                error = "became shorter while it was read";
                return null;
            }
            string text;
            try
            {
                text = StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                error = "not UTF-8";
                return null;
            }
            if (text.AsSpan().IndexOfAny('\0', '\n', '\r') >= 0)
            {
                error = "holds a NUL or a line break";
                return null;
            }
            return text;
        }
    }
}
