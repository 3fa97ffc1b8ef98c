using Xunit;

namespace Ouinet.Testing;

/// <summary>Locations the tests read from: the repository's own copy of the vectors, and the shared folder.</summary>
public static class TestPaths
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    /// <summary>The repository root (the folder holding <c>Ouinet.slnx</c>).</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>
    /// The built <c>ouinet</c> executable (<c>src/Ouinet.Cli/bin/&lt;configuration&gt;/net10.0/ouinet.dll</c>, the same
    /// configuration as the tests), to run as a real process. Not the copy in a test's own output folder: that one
    /// resolves its dependencies through the test's, which may come from another shared framework.
    /// </summary>
    public static string OuinetDll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
            var dll = Path.Combine(RepositoryRoot, "src", "Ouinet.Cli", "bin", configuration, "net10.0", "ouinet.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the solution first: {dll} is missing.");
        }
    }

    /// <summary>
    /// The libtorrent interop scripts (a copy of the team's <c>shared/interop</c> in <c>tests/interop/libtorrent</c>, so a
    /// clean checkout runs the interop tests on its own).
    /// </summary>
    public static string LibtorrentInterop => Path.Combine(RepositoryRoot, "tests", "interop", "libtorrent");

    /// <summary>The spec-derived vectors copied into the repository (<c>tests/vectors</c>).</summary>
    public static string Vectors => Path.Combine(RepositoryRoot, "tests", "vectors");

    /// <summary>A file under <c>tests/vectors</c>.</summary>
    public static string Vector(params string[] parts) => Path.Combine([Vectors, .. parts]);

    /// <summary>
    /// The vectors rebuilt from the C++ Ouinet's own tests. They are not ours to copy, so they are read from
    /// <c>../shared/test-vectors/upstream</c>; a test that needs them is skipped, saying why, where that is absent.
    /// </summary>
    public static string Upstream(params string[] parts)
    {
        var dir = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "test-vectors", "upstream"));
        if (!Directory.Exists(dir))
        {
            Assert.Skip($"{dir} is absent: the upstream (C++ Ouinet) vectors are only read from ../shared, never copied.");
        }
        return Path.Combine([dir, .. parts]);
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ouinet.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No Ouinet.slnx above {AppContext.BaseDirectory}.");
    }
}
