namespace Ouinet.Testing;

/// <summary>A fresh directory under the system temp folder, deleted with everything in it on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "ouinet-test") => Path = Directory.CreateTempSubdirectory(prefix).FullName;

    public string Path { get; }

    /// <summary>A path inside this directory (not created).</summary>
    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    public override string ToString() => Path;
}
