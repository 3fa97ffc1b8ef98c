using System.Runtime.Versioning;
using Ouinet.Protocol.Keys;

namespace Ouinet.Protocol.Tests.Keys;

public sealed class InjectorKeyFilesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ouinet-keys-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PrivatePath => Path.Combine(_directory, InjectorKeyFiles.PrivateKeyFileName);

    private string PublicPath => Path.Combine(_directory, InjectorKeyFiles.PublicKeyFileName);

    [Fact]
    public void LoadOrCreate_in_an_empty_repository_writes_both_files_as_bare_lower_case_hex()
    {
        using var key = InjectorKeyFiles.LoadOrCreate(_directory);

        Assert.Equal(Convert.ToHexStringLower(key.ExportSeed()), File.ReadAllText(PrivatePath));
        Assert.Equal(key.PublicKey.ToHex(), File.ReadAllText(PublicPath));
        Assert.Equal([InjectorKeyFiles.PrivateKeyFileName, InjectorKeyFiles.PublicKeyFileName],
            Directory.GetFiles(_directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void LoadOrCreate_makes_the_private_key_file_owner_only()
    {
        using var key = InjectorKeyFiles.LoadOrCreate(_directory);

        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix file modes only.");
        }
        else
        {
            AssertOwnerOnly(PrivatePath);
        }
    }

    [Fact]
    public void LoadOrCreate_twice_keeps_the_key_and_rewrites_the_public_key_file()
    {
        using var first = InjectorKeyFiles.LoadOrCreate(_directory);
        File.WriteAllText(PublicPath, "stale");

        using var second = InjectorKeyFiles.LoadOrCreate(_directory);

        Assert.Equal(first.PublicKey, second.PublicKey);
        Assert.Equal(first.PublicKey.ToHex(), File.ReadAllText(PublicPath));
    }

    [Theory]
    [InlineData("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")]
    [InlineData("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n")]
    [InlineData("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F\r\n")]
    public void An_existing_seed_file_is_read_with_or_without_a_newline(string content)
    {
        File.WriteAllText(PrivatePath, content);

        using var key = InjectorKeyFiles.LoadOrCreate(_directory);

        Assert.Equal("03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8", key.PublicKey.ToHex());
        Assert.True(InjectorKeyFiles.TryReadPublicKey(PublicPath, out var written, out _));
        Assert.Equal(key.PublicKey, written);
    }

    [Theory]
    [InlineData("", KeyParseError.Empty)]
    [InlineData("0001", KeyParseError.WrongLength)]
    [InlineData("zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", KeyParseError.InvalidHex)]
    public void A_malformed_seed_file_is_reported_not_replaced(string content, KeyParseError expected)
    {
        File.WriteAllText(PrivatePath, content);

        Assert.False(InjectorKeyFiles.TryReadPrivateKey(PrivatePath, out _, out var error));
        Assert.Equal(expected, error);
        Assert.Throws<InvalidDataException>(() => InjectorKeyFiles.LoadOrCreate(_directory));
        Assert.Equal(content, File.ReadAllText(PrivatePath));
    }

    [Fact]
    public void WritePrivateKey_replaces_an_existing_file_and_leaves_no_temporary_file()
    {
        File.WriteAllText(PrivatePath, "old");
        using var key = InjectorPrivateKey.Generate();

        InjectorKeyFiles.WritePrivateKey(PrivatePath, key);

        Assert.True(InjectorKeyFiles.TryReadPrivateKey(PrivatePath, out var read, out _));
        Assert.Equal(key.PublicKey, read.PublicKey);
        Assert.Single(Directory.GetFiles(_directory));
        if (!OperatingSystem.IsWindows())
        {
            AssertOwnerOnly(PrivatePath);
        }
    }

    [UnsupportedOSPlatform("windows")]
    private static void AssertOwnerOnly(string path) =>
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
}
