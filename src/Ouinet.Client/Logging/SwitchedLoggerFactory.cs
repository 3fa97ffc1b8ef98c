using Microsoft.Extensions.Logging;

namespace Ouinet.Client.Logging;

/// <summary>
/// The client's loggers: the level comes from <see cref="ClientSwitches"/> (so the front-end changes it at run time)
/// and, while the log file is on, Debug and above also go to <see cref="LogFile"/> (Ouinet forces DEBUG for the file).
/// Messages that pass go to the embedding app's logger too, whose own filter still applies.
/// </summary>
internal sealed class SwitchedLoggerFactory(ILoggerFactory inner, ClientSwitches switches, LogFile file) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new SwitchedLogger(inner.CreateLogger(categoryName), categoryName, switches, file);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose()
    {
        // The inner factory is the caller's.
    }

    private sealed class SwitchedLogger(ILogger inner, string category, ClientSwitches switches, LogFile file) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) =>
            logLevel != LogLevel.None && (ToInner(logLevel) || ToFile(logLevel));

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (ToInner(logLevel))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
            if (ToFile(logLevel))
            {
                var message = formatter(state, exception);
                file.Write(OuinetLogLevels.Name(logLevel), category, exception is null ? message : $"{message}: {exception}");
            }
        }

        private bool ToInner(LogLevel level) => level != LogLevel.None && level >= switches.Current.LogLevel && inner.IsEnabled(level);

        private bool ToFile(LogLevel level) => level is >= LogLevel.Debug and not LogLevel.None && switches.Current.LogFile;
    }
}
