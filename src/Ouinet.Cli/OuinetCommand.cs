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
        InjectorCommand.Create(),
        ClientCommand.Create(),
        DhtCommand.Create(),
        OverlayCommand.Create(),
        UtpCommand.Create(),
        TestbedCommand.Create(),
    };

    /// <summary>
    /// Runs the command line. On Ctrl+C/SIGTERM the action's token is canceled and it gets this long to finish (the
    /// injector's graceful stop fits in it) before the process ends anyway.
    /// </summary>
    public static Task<int> RunAsync(string[] args) =>
        Create().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = InjectorCommand.ShutdownGrace + TimeSpan.FromSeconds(5) });
}
