using System.Diagnostics;
using System.Text.RegularExpressions;
using Ouinet.Utp.Tests.Support;

namespace Ouinet.Utp.Tests.EndToEnd;

/// <summary>Tier 3: <c>ouinet utp listen</c> and <c>ouinet utp connect</c> as two real processes on loopback.</summary>
public partial class UtpCommandTests
{
    private static string Ouinet => TestPaths.OuinetDll;

    [Theory(Timeout = 60000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ListenAndConnect_CopyBothWays_AndPrintASummary(bool smallPackets)
    {
        var ct = TestContext.Current.CancellationToken;
        var toListener = UtpPair.RandomBytes(1_500_000);
        var toConnector = UtpPair.RandomBytes(700_000);
        var extra = smallPackets ? new[] { "--small-packets" } : [];

        using var listener = Start(["utp", "listen", "127.0.0.1:0", .. extra]);
        var listening = await ReadLineAsync(listener, ListeningLine(), ct);
        var port = ListeningLine().Match(listening).Groups[1].Value;
        using var connector = Start(["utp", "connect", $"127.0.0.1:{port}", .. extra]);

        var results = await Task.WhenAll(
            ExchangeAsync(listener, toConnector, ct),
            ExchangeAsync(connector, toListener, ct));

        Assert.Equal(toListener, results[0].Output);
        Assert.Equal(toConnector, results[1].Output);
        Assert.All(results, r => Assert.Equal(0, r.ExitCode));
        var summary = SummaryLine().Match(results[1].Error);
        Assert.True(summary.Success, results[1].Error);
        Assert.Equal($"{toListener.Length}", summary.Groups["sent"].Value);
        Assert.Equal($"{toConnector.Length}", summary.Groups["received"].Value);
        Assert.Equal(smallPackets ? "1400" : "64000", summary.Groups["packet"].Value);
    }

    [Fact(Timeout = 30000)]
    public async Task ConnectingToNobody_FailsWithAMessage()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var silent = UtpPair.Client(); // refuses every SYN
        using var connector = Start(["utp", "connect", $"127.0.0.1:{silent.LocalEndPoint.Port}", "--connect-timeout", "2"]);
        connector.StandardInput.Close();
        var error = await connector.StandardError.ReadToEndAsync(ct);
        await connector.WaitForExitAsync(ct);
        Assert.Equal(1, connector.ExitCode);
        Assert.Contains("refused", error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30000)]
    public async Task ABadAddress_IsAUsageError()
    {
        var ct = TestContext.Current.CancellationToken;
        using var process = Start(["utp", "connect", "localhost"]);
        process.StandardInput.Close();
        var error = await process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        Assert.Equal(1, process.ExitCode);
        Assert.Contains("is not IP:PORT", error, StringComparison.Ordinal);
    }

    private static Process Start(string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Ouinet);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return Process.Start(start)!;
    }

    private static async Task<string> ReadLineAsync(Process process, Regex pattern, CancellationToken ct)
    {
        while (await process.StandardError.ReadLineAsync(ct) is { } line)
        {
            if (pattern.IsMatch(line))
            {
                return line;
            }
        }
        throw new InvalidOperationException("The process ended before printing the expected line.");
    }

    private static async Task<(byte[] Output, string Error, int ExitCode)> ExchangeAsync(Process process, byte[] input, CancellationToken ct)
    {
        var output = new MemoryStream();
        var reading = process.StandardOutput.BaseStream.CopyToAsync(output, ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.StandardInput.BaseStream.WriteAsync(input, ct);
        process.StandardInput.Close();
        await reading;
        await process.WaitForExitAsync(ct);
        return (output.ToArray(), await error, process.ExitCode);
    }

    [GeneratedRegex(@"^utp: listening on 127\.0\.0\.1:(\d+)$")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"utp: sent (?<sent>\d+) bytes, received (?<received>\d+) bytes, rtt [\d.]+ ms \(min [\d.]+ ms\), retransmissions \d+, timeouts \d+, packet size (?<packet>\d+)")]
    private static partial Regex SummaryLine();
}
