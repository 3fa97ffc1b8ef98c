using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Ouinet.Protocol.Keys;

/// <summary>
/// The injector's key files in its repository folder: <c>ed25519-private-key</c> (the 32-byte seed as 64
/// lower-case hex characters) and <c>ed25519-public-key</c> (the public key as hex). Ouinet C++ writes both
/// without a trailing newline and rewrites the public one on every start; we do the same and accept
/// surrounding whitespace (a newline added by an editor) when reading.
/// </summary>
public static class InjectorKeyFiles
{
    /// <summary>File name of the private key (seed) in the injector repository.</summary>
    public const string PrivateKeyFileName = "ed25519-private-key";

    /// <summary>File name of the public key in the injector repository.</summary>
    public const string PublicKeyFileName = "ed25519-public-key";

    // Owner read/write only: the seed is the injector's identity.
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Loads <c>ed25519-private-key</c> from <paramref name="repositoryDirectory"/>, or generates a key and writes
    /// it when the file is absent; then (re)writes <c>ed25519-public-key</c>. Throws
    /// <see cref="InvalidDataException"/> when the private key file exists but is malformed: the injector must
    /// not silently replace its identity.
    /// </summary>
    public static InjectorPrivateKey LoadOrCreate(string repositoryDirectory)
    {
        Directory.CreateDirectory(repositoryDirectory);
        var privatePath = Path.Combine(repositoryDirectory, PrivateKeyFileName);
        InjectorPrivateKey key;
        if (File.Exists(privatePath))
        {
            if (!TryReadPrivateKey(privatePath, out var loaded, out var error))
            {
                throw new InvalidDataException($"{privatePath}: {DescribePrivateKeyError(error)}");
            }
            key = loaded;
        }
        else
        {
            key = InjectorPrivateKey.Generate();
            WritePrivateKey(privatePath, key);
        }
        WritePublicKey(Path.Combine(repositoryDirectory, PublicKeyFileName), key.PublicKey);
        return key;
    }

    /// <summary>Reads a private key file: 64 hex characters (either case), optionally surrounded by whitespace.</summary>
    public static bool TryReadPrivateKey(string path, [NotNullWhen(true)] out InjectorPrivateKey? key, out KeyParseError error) =>
        TryParsePrivateKey(File.ReadAllText(path, Encoding.ASCII), out key, out error);

    /// <summary>Parses the content of a private key file (or the <c>ed25519-private-key</c> option).</summary>
    public static bool TryParsePrivateKey(string text, [NotNullWhen(true)] out InjectorPrivateKey? key, out KeyParseError error)
    {
        key = null;
        var hex = text.AsSpan().Trim();
        if (hex.IsEmpty)
        {
            error = KeyParseError.Empty;
            return false;
        }
        if (hex.Length != InjectorPrivateKey.SeedSize * 2)
        {
            error = KeyParseError.WrongLength;
            return false;
        }
        Span<byte> seed = stackalloc byte[InjectorPrivateKey.SeedSize];
        if (Convert.FromHexString(hex, seed, out _, out var written) != System.Buffers.OperationStatus.Done || written != seed.Length)
        {
            error = KeyParseError.InvalidHex;
            return false;
        }
        key = InjectorPrivateKey.FromSeed(seed);
        seed.Clear();
        error = KeyParseError.None;
        return true;
    }

    /// <summary>Reads a public key file: 64 hex characters, optionally surrounded by whitespace.</summary>
    public static bool TryReadPublicKey(string path, [NotNullWhen(true)] out InjectorPublicKey? key, out KeyParseError error)
    {
        var text = File.ReadAllText(path, Encoding.ASCII).Trim();
        key = null;
        if (text.Length is not 0 and not 64)
        {
            error = KeyParseError.WrongLength;
            return false;
        }
        return InjectorPublicKey.TryParse(text, out key, out error);
    }

    /// <summary>
    /// Writes the seed as lower-case hex, no newline. The file is created owner-only (0600) from the start,
    /// under a temporary name, then moved into place: never readable by others, never half-written.
    /// </summary>
    public static void WritePrivateKey(string path, InjectorPrivateKey key)
    {
        var seed = key.ExportSeed();
        try
        {
            WriteAtomically(path, Encoding.ASCII.GetBytes(Convert.ToHexStringLower(seed)), OwnerOnly);
        }
        finally
        {
            Array.Clear(seed);
        }
    }

    /// <summary>Writes the public key as lower-case hex, no newline (readable by all, as a new file normally is).</summary>
    public static void WritePublicKey(string path, InjectorPublicKey key) =>
        WriteAtomically(path, Encoding.ASCII.GetBytes(key.ToHex()), null);

    private static string DescribePrivateKeyError(KeyParseError error) => error switch
    {
        KeyParseError.Empty => "the file is empty.",
        KeyParseError.WrongLength => "expected 64 hexadecimal characters (a 32-byte Ed25519 seed).",
        KeyParseError.InvalidHex => "the content is not hexadecimal.",
        _ => error.ToString(),
    };

    private static void WriteAtomically(string path, byte[] content, UnixFileMode? mode)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (mode is { } unixMode && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = unixMode;
        }
        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
