using Microsoft.Extensions.Logging;
using Ouinet.Client.Logging;

namespace Ouinet.Cli.Configuration;

/// <summary>
/// Ouinet's log levels (<c>log-level</c>: SILLY, DEBUG, VERBOSE, INFO, WARN, ERROR, ABORT, any case) and a logger that
/// prints lines as Ouinet does, <c>[INFO] message</c>, to a <see cref="TextWriter"/> (standard output, or a test's).
/// </summary>
public static class OuinetLogging
{
    public static IReadOnlyList<string> LevelNames => OuinetLogLevels.Names;

    public static bool TryParseLevel(string? text, out LogLevel level) => OuinetLogLevels.TryParse(text, out level);

    /// <summary>A factory whose loggers write <c>[LEVEL] message</c> lines at <paramref name="minimum"/> and above.</summary>
    public static ILoggerFactory CreateFactory(TextWriter output, LogLevel minimum) =>
        LoggerFactory.Create(builder => builder.SetMinimumLevel(minimum).AddProvider(new Provider(output, minimum)));

    private static string Name(LogLevel level) => OuinetLogLevels.Name(level);

    private sealed class Provider(TextWriter output, LogLevel minimum) : ILoggerProvider
    {
        private readonly Lock _lock = new();

        public ILogger CreateLogger(string categoryName) => new Writer(this);

        public void Dispose()
        {
        }

        private sealed class Writer(Provider provider) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= provider._minimum && logLevel != LogLevel.None;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (!IsEnabled(logLevel))
                {
                    return;
                }
                var line = $"[{Name(logLevel)}] {formatter(state, exception)}{(exception is null ? "" : $": {exception}")}";
                lock (provider._lock)
                {
                    provider._output.WriteLine(line);
                    provider._output.Flush();
                }
            }
        }

        private readonly TextWriter _output = output;
        private readonly LogLevel _minimum = minimum;
    }
}
