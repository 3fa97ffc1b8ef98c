using System.CommandLine;
using Ouinet.Protocol.Keys;

namespace Ouinet.Cli.Commands;

/// <summary><c>ouinet keygen --repo DIR</c>: creates an injector's Ed25519 key files.</summary>
internal static class KeygenCommand
{
    public static Command Create()
    {
        var repo = new Option<DirectoryInfo>("--repo")
        {
            Description = "Injector repository folder (created if missing) that receives ed25519-private-key and ed25519-public-key.",
            Required = true,
        };
        var force = new Option<bool>("--force") { Description = "Replace an existing private key (entries signed with the old one stop being trusted)." };
        var command = new Command("keygen", "Create an injector signing key (Ed25519) and print its public key in hex, base32 and base64.")
        {
            repo, force,
        };
        command.SetAction(result => Run(result.GetRequiredValue(repo), result.GetValue(force), result.InvocationConfiguration.Output, result.InvocationConfiguration.Error));
        return command;
    }

    private static int Run(DirectoryInfo repo, bool force, TextWriter output, TextWriter error)
    {
        var privatePath = Path.Combine(repo.FullName, InjectorKeyFiles.PrivateKeyFileName);
        if (File.Exists(privatePath) && !force)
        {
            var existing = InjectorKeyFiles.TryReadPrivateKey(privatePath, out var key, out _) ? $" (public key {key.PublicKey.ToHex()})" : "";
            key?.Dispose();
            error.WriteLine($"ouinet keygen: {privatePath} already exists{existing}. Use --force to replace it.");
            return 1;
        }
        Directory.CreateDirectory(repo.FullName);
        using var created = InjectorPrivateKey.Generate();
        InjectorKeyFiles.WritePrivateKey(privatePath, created);
        InjectorKeyFiles.WritePublicKey(Path.Combine(repo.FullName, InjectorKeyFiles.PublicKeyFileName), created.PublicKey);
        PrintPublicKey(output, created.PublicKey);
        output.WriteLine($"Wrote {privatePath} (owner read/write only) and {InjectorKeyFiles.PublicKeyFileName}.");
        return 0;
    }

    internal static void PrintPublicKey(TextWriter output, InjectorPublicKey key)
    {
        output.WriteLine($"hex:    {key.ToHex()}");
        output.WriteLine($"base32: {key.ToBase32()}");
        output.WriteLine($"base64: {key.ToBase64()}");
    }
}
