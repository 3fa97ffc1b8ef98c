using System.Diagnostics;
using Microsoft.Playwright;

namespace Ouinet.EndToEnd.Tests.Support;

/// <summary>Debian's Chromium through Playwright: launching (optionally proxied, optionally with an NSS database in a temporary HOME) and trusting a CA.</summary>
internal static class Chromium
{
    public const string Executable = "/usr/bin/chromium";

    /// <summary>Skips the test when Debian's chromium or certutil is missing (test.sh installs them).</summary>
    public static void RequireInstalled()
    {
        if (!File.Exists(Executable) || !File.Exists("/usr/bin/certutil"))
        {
            Assert.Skip("Debian's chromium and libnss3-tools are needed (test.sh installs them).");
        }
    }

    /// <summary>Headless Chromium; through <paramref name="proxy"/> when given; with HOME at <paramref name="home"/> (its NSS database) when given.</summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright, System.Net.IPEndPoint? proxy = null, string? home = null)
    {
        // The machine running the tests may be loaded: wait generously for the page to show what is expected.
        Assertions.SetDefaultExpectTimeout(30_000);
        var options = new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            // No DNS for anything but loopback names: the tests talk to 127.0.0.0/8 only.
            Args = ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"],
        };
        if (proxy is not null)
        {
            options.Proxy = new Proxy { Server = $"http://{proxy}", Bypass = "*.google.com,*.googleapis.com,*.gstatic.com" };
        }
        if (home is not null)
        {
            // Playwright's Env replaces the browser's whole environment: copy ours and point HOME at the NSS database.
            options.Env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .Select(e => new KeyValuePair<string, string>((string)e.Key, (string?)e.Value ?? ""))
                .Where(e => e.Key != "HOME").Append(new("HOME", home));
        }
        return playwright.Chromium.LaunchAsync(options);
    }

    /// <summary>Creates an NSS database under <paramref name="home"/> that trusts <paramref name="caFile"/> for web sites.</summary>
    public static async Task TrustInNssAsync(string home, string caFile, CancellationToken cancellationToken)
    {
        var db = Path.Combine(home, ".pki", "nssdb");
        Directory.CreateDirectory(db);
        await RunAsync("certutil", cancellationToken, "-d", $"sql:{db}", "-N", "--empty-password");
        await RunAsync("certutil", cancellationToken, "-d", $"sql:{db}", "-A", "-t", "C,,", "-n", "Ouinet client CA", "-i", caFile);
    }

    /// <summary>A screenshot saved as a test artifact under the test output folder (<c>screenshots/NAME.png</c>); returns its path.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    private static async Task RunAsync(string program, CancellationToken cancellationToken, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var output = await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)}: {output}");
    }
}
