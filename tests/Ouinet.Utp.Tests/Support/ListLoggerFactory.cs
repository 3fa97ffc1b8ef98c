using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Ouinet.Utp.Tests.Support;

/// <summary>Collects log lines in memory, to assert on them or print them when a test fails.</summary>
public sealed class ListLoggerFactory : ILoggerFactory
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new ListLogger(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class ListLogger(ListLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue($"{DateTime.UtcNow:HH:mm:ss.ffffff} {logLevel} {formatter(state, exception)}");
    }
}
