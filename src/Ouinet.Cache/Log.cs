using Microsoft.Extensions.Logging;
using Ouinet.Protocol;

namespace Ouinet.Cache;

/// <summary>
/// Every log message of the cache, with stable event ids. Entry paths are logged (they are SHA-1 names, no secret);
/// URIs are not.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Skipping corrupt cache entry {Path}: {Reason}")]
    public static partial void CorruptEntry(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Ignoring {Path} in the cache store: {Reason}")]
    public static partial void StrayItem(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Recovered {Count} interrupted writes under {Path}")]
    public static partial void Recovered(ILogger logger, int count, string path);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Opened cache store {Path}: {Count} entries, {Bytes} body bytes, {Skipped} skipped")]
    public static partial void StoreOpened(ILogger logger, string path, int count, long bytes, int skipped);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "Removed group item {Path}: its entry is gone")]
    public static partial void DanglingGroupItem(ILogger logger, string path);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "Committed cache entry {Path}")]
    public static partial void EntryCommitted(ILogger logger, string path);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "Removed cache entry {Path}")]
    public static partial void EntryRemoved(ILogger logger, string path);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Could not delete {Path}; it will be removed at the next start")]
    public static partial void LeftoverNotDeleted(ILogger logger, string path);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Static cache entry {Path} rejected: {Error}: {Reason}")]
    public static partial void StaticEntryRejected(ILogger logger, string path, OuinetVerificationError error, string reason);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Static cache problem at {Path}: {Error}: {Reason}")]
    public static partial void StaticCacheProblem(ILogger logger, string path, OuinetVerificationError error, string reason);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Verified static cache {Path}: {Valid} of {Total} entries valid, {Problems} other problems")]
    public static partial void StaticCacheVerified(ILogger logger, string path, int valid, int total, int problems);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "A committed entry could not be added to its group {Path}: {Reason}")]
    public static partial void GroupNotRecorded(ILogger logger, string path, string reason);
}
