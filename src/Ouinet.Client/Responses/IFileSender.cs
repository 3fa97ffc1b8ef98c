using Microsoft.Win32.SafeHandles;

namespace Ouinet.Client.Responses;

/// <summary>
/// Sends bytes of an open file straight to the browser's connection, without copying them through the process (the
/// kernel's <c>sendfile</c>, as nginx serves static files). Only plain TCP connections have one: TLS must encrypt in
/// the process.
/// </summary>
public interface IFileSender
{
    /// <summary>Sends <paramref name="count"/> bytes of <paramref name="file"/> from <paramref name="offset"/>; everything
    /// written to the connection before must have been flushed. A browser that went away is an <see cref="IOException"/>.</summary>
    ValueTask SendAsync(SafeFileHandle file, long offset, long count, CancellationToken cancellationToken);
}
