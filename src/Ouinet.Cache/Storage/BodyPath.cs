namespace Ouinet.Cache.Storage;

/// <summary>
/// The <c>body-path</c> of a static-cache entry: the body's path relative to the static cache root, forward slashes,
/// UTF-8, no <c>.</c> or <c>..</c> components, no trailing newline. Resolution refuses anything that would leave the
/// root, symbolic links included, so a crafted cache cannot make us serve arbitrary files.
/// </summary>
public static class BodyPath
{
    public const string FileName = "body-path";

    /// <summary>Why <paramref name="relative"/> is not a valid body-path, or null when it is.</summary>
    public static string? Validate(string relative)
    {
        if (relative.Length == 0)
        {
            return "body-path is empty";
        }
        if (relative.Contains('\0', StringComparison.Ordinal) || relative.Contains('\n', StringComparison.Ordinal) || relative.Contains('\r', StringComparison.Ordinal))
        {
            return "body-path holds a control character or a newline";
        }
        if (relative.Contains('\\', StringComparison.Ordinal))
        {
            return "body-path must use forward slashes";
        }
        if (relative.StartsWith('/'))
        {
            return "body-path must be relative to the static cache root";
        }
        foreach (var part in relative.Split('/'))
        {
            if (part is "" or "." or "..")
            {
                return $"body-path has an empty, \".\" or \"..\" component: {relative}";
            }
        }
        return null;
    }

    /// <summary>
    /// The full path of <paramref name="relative"/> under <paramref name="root"/>, or null with a reason when it is
    /// invalid or resolves (through links) outside the root.
    /// </summary>
    public static string? Resolve(string root, string relative, out string? error)
    {
        error = Validate(relative);
        if (error is not null)
        {
            return null;
        }
        var fullRoot = Path.GetFullPath(root);
        var full = Path.GetFullPath(Path.Combine(fullRoot, relative.Replace('/', Path.DirectorySeparatorChar)));
        var real = RealPath(full);
        var realRoot = RealPath(fullRoot);
        if (!real.StartsWith(realRoot.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            error = $"body-path {relative} leads outside the static cache root";
            return null;
        }
        return full;
    }

    /// <summary>The path with every symbolic link along it resolved (as far as the path exists).</summary>
    private static string RealPath(string path)
    {
        var parts = new Stack<string>();
        var current = path;
        while (!Path.Exists(current))
        {
            var parent = Path.GetDirectoryName(current);
            if (parent is null)
            {
                return path;
            }
            parts.Push(Path.GetFileName(current));
            current = parent;
        }
        var resolved = ResolveExisting(current);
        while (parts.Count > 0)
        {
            resolved = Path.Combine(resolved, parts.Pop());
        }
        return resolved;
    }

    private static string ResolveExisting(string path)
    {
        var parent = Path.GetDirectoryName(path);
        var resolvedParent = parent is null ? path : ResolveExisting(parent);
        var here = parent is null ? path : Path.Combine(resolvedParent, Path.GetFileName(path));
        FileSystemInfo info = Directory.Exists(here) ? new DirectoryInfo(here) : new FileInfo(here);
        var target = info.LinkTarget is null ? null : info.ResolveLinkTarget(returnFinalTarget: true);
        return target is null ? here : ResolveExisting(Path.GetFullPath(target.FullName));
    }
}
