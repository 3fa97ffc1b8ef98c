using System.CommandLine;
using Ouinet.Cli.Commands;

namespace Ouinet.Cli;

/// <summary>The <c>ouinet</c> root command and its subcommands.</summary>
internal static class OuinetCommand
{
    public static RootCommand Create() => new("Ouinet for .NET: web access that keeps working when the origin is blocked.")
    {
        KeygenCommand.Create(),
        InjectCommand.Create(),
        VerifyCommand.Create(),
        UtpCommand.Create(),
    };

    public static Task<int> RunAsync(string[] args) => Create().Parse(args).InvokeAsync();
}
