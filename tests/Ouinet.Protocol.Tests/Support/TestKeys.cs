using Ouinet.Protocol.Keys;

namespace Ouinet.Protocol.Tests.Support;

/// <summary>The vectors' keys: the trusted injector (seed 0x00..0x1f) and another, untrusted one (0x20..0x3f).</summary>
internal static class TestKeys
{
    public static InjectorPrivateKey Trusted() => FromSeedFile("trusted.seed.hex");

    public static InjectorPrivateKey Other() => FromSeedFile("other.seed.hex");

    public static string Read(string keyFile) => File.ReadAllText(TestPaths.Vector("keys", keyFile)).Trim();

    private static InjectorPrivateKey FromSeedFile(string name) => InjectorPrivateKey.FromSeed(Convert.FromHexString(Read(name)));
}
