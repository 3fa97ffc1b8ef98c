using System.CommandLine;
using System.CommandLine.Parsing;
using Ouinet.Protocol.Keys;

namespace Ouinet.Cli.Commands;

/// <summary>Options shared by several commands, parsed and validated by System.CommandLine.</summary>
internal static class CommonOptions
{
    /// <summary>The injector public key in hex (64 characters) or base32 (52), as the client's <c>cache-http-public-key</c>.</summary>
    public static Option<InjectorPublicKey> PublicKey(string name = "--public-key") => new(name)
    {
        Description = "Injector public key: 64 hex or 52 base32 characters (as for cache-http-public-key).",
        Required = true,
        CustomParser = ParsePublicKey,
    };

    private static InjectorPublicKey? ParsePublicKey(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (InjectorPublicKey.TryParse(text, out var key, out var error))
        {
            return key;
        }
        result.AddError(InjectorPublicKey.Describe(error, text));
        return null;
    }
}
