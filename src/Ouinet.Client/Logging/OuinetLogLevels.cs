using Microsoft.Extensions.Logging;

namespace Ouinet.Client.Logging;

/// <summary>Ouinet's log level names (<c>log-level</c>, the front-end's <c>loglevel</c>) and their <see cref="LogLevel"/>s.</summary>
public static class OuinetLogLevels
{
    public static IReadOnlyList<string> Names { get; } = ["SILLY", "DEBUG", "VERBOSE", "INFO", "WARN", "ERROR", "ABORT"];

    /// <summary>Parses a name in any case (VERBOSE is DEBUG: .NET has no level between Debug and Information).</summary>
    public static bool TryParse(string? text, out LogLevel level)
    {
        level = (text ?? "").Trim().ToUpperInvariant() switch
        {
            "SILLY" => LogLevel.Trace,
            "DEBUG" or "VERBOSE" => LogLevel.Debug,
            "INFO" => LogLevel.Information,
            "WARN" => LogLevel.Warning,
            "ERROR" => LogLevel.Error,
            "ABORT" => LogLevel.Critical,
            _ => LogLevel.None,
        };
        return level != LogLevel.None;
    }

    /// <summary>The Ouinet name of <paramref name="level"/>.</summary>
    public static string Name(LogLevel level) => level switch
    {
        LogLevel.Trace => "SILLY",
        LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARN",
        LogLevel.Error => "ERROR",
        _ => "ABORT",
    };
}
