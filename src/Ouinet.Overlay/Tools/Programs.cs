using Microsoft.Extensions.Logging;

namespace Ouinet.Overlay.Tools;

/// <summary>
/// The built-in programs a node can bind to a name (<c>[name.X] prog = ["oping"]</c>): the tools' server sides.
/// <c>args = ["-i", "MS"]</c> makes operf/ocbr print every flow's throughput each MS milliseconds.
/// </summary>
internal static class Programs
{
    public static async Task RunAsync(string program, IReadOnlyList<string> args, FlowAcceptor acceptor, TextWriter output, ILogger logger, CancellationToken cancellationToken)
    {
        Log.ProgramStarted(logger, program, acceptor.Name);
        try
        {
            switch (program)
            {
                case "oping" or "oecho":
                    await EchoServer.RunAsync(acceptor, cancellationToken).ConfigureAwait(false);
                    break;
                case "operf" or "ocbr":
                    await PerfServer.RunAsync(acceptor, output, cancellationToken, PerfServer.ParseInterval(args)).ConfigureAwait(false);
                    break;
                default:
                    Log.ProgramFailed(logger, $"unknown program {program} (built in: oping, oecho, operf, ocbr)");
                    break;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            await acceptor.DisposeAsync().ConfigureAwait(false);
        }
    }
}
