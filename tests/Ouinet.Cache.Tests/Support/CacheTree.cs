using Ouinet.Cache.Storage;

namespace Ouinet.Cache.Tests.Support;

/// <summary>A scratch copy of a vector static cache (root with <c>.ouinet</c> inside) that a test may damage.</summary>
internal sealed class CacheTree : IDisposable
{
    private readonly TempDirectory _temp;

    public CacheTree(string vectorRoot = "static-cache")
    {
        _temp = new TempDirectory("cache-tree");
        TempDirectory.CopyTree(TestPaths.Vector(vectorRoot), Root);
    }

    public string Root => _temp.Path;

    public string Repository => Path.Combine(Root, ".ouinet");

    public string EntryDirectory(string uri) => Path.Combine(Repository, EntryLocation.RelativeDirectory(uri));

    public string EntryFile(string uri, string name) => Path.Combine(EntryDirectory(uri), name);

    public void Dispose() => _temp.Dispose();
}
