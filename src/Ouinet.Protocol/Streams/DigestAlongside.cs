using System.Security.Cryptography;

namespace Ouinet.Protocol.Streams;

/// <summary>
/// Feeds a block to the body's SHA-256 (<c>Digest</c>) on a second core while the caller hashes, chains and signs or
/// verifies the same block: the two hashes are independent, and overlapping them is what keeps signing and verifying
/// close to the raw hashing speed. Small blocks are done in line, where a second thread would cost more than it saves.
/// </summary>
internal static class DigestAlongside
{
    private const int ParallelThreshold = 16 * 1024;

    public static T Run<T>(IncrementalHash? digest, byte[] block, int length, Func<T> work)
    {
        if (digest is null)
        {
            return work();
        }
        if (length < ParallelThreshold)
        {
            digest.AppendData(block, 0, length);
            return work();
        }
        var digesting = Task.Run(() => digest.AppendData(block, 0, length));
        try
        {
            return work();
        }
        finally
        {
            // Always wait, even when the work failed: the buffer must not be reused while it is being read.
            // Wait() runs the task in line if no worker has picked it up yet, so this cannot starve the pool.
            digesting.Wait();
        }
    }
}
