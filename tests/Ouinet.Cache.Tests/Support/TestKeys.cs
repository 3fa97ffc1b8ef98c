using Ouinet.Protocol.Keys;

namespace Ouinet.Cache.Tests.Support;

/// <summary>The vectors' trusted injector key (seed 0x00..0x1f), another one, and the upstream tests' key.</summary>
internal static class TestKeys
{
    public static InjectorPrivateKey Trusted() => FromSeedFile("trusted.seed.hex");

    public static InjectorPrivateKey Other() => FromSeedFile("other.seed.hex");

    public static InjectorPublicKey TrustedPublic { get; } = InjectorPublicKey.Parse(Read("trusted.public.hex"));

    public static InjectorPublicKey OtherPublic { get; } = InjectorPublicKey.Parse(Read("other.public.hex"));

    /// <summary><c>inj_b64pk</c> of Ouinet C++'s own tests (upstream/README.md).</summary>
    public static InjectorPublicKey Upstream { get; } =
        InjectorPublicKey.TryParseKeyId("ed25519=DlBwx8WbSsZP7eni20bf5VKUH3t1XAF/+hlDoLbZzuw=", out var key, out _) ? key : throw new InvalidOperationException();

    private static string Read(string keyFile) => File.ReadAllText(TestPaths.Vector("keys", keyFile)).Trim();

    private static InjectorPrivateKey FromSeedFile(string name) => InjectorPrivateKey.FromSeed(Convert.FromHexString(Read(name)));
}
