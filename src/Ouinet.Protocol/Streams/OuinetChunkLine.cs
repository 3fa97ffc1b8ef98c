using Ouinet.Http;
using Ouinet.Protocol.Blocks;

namespace Ouinet.Protocol.Streams;

/// <summary>
/// The Ouinet extensions of one chunk line, decoded, in order and with repeats kept (a repeat is an error whose
/// code depends on where it is, so it is judged by the caller). Other extensions are ignored.
/// </summary>
internal readonly record struct OuinetChunkLine(List<byte[]> Signatures, List<byte[]> PreviousSignatures, List<byte[]> PreviousHashes)
{
    public static OuinetChunkLine Read(IReadOnlyList<ChunkExtension> extensions, long blockIndex)
    {
        var line = new OuinetChunkLine([], [], []);
        for (var i = 0; i < extensions.Count; i++)
        {
            var extension = extensions[i];
            var list = extension.Name switch
            {
                OuinetChunkExtensions.BlockSignature => line.Signatures,
                OuinetChunkExtensions.PreviousBlockSignature => line.PreviousSignatures,
                OuinetChunkExtensions.PreviousChainedHash => line.PreviousHashes,
                _ => null,
            };
            if (list is null)
            {
                continue;
            }
            var error = OuinetChunkExtensions.TryDecode(extension, out var value);
            if (error != ChunkExtensionError.None)
            {
                throw new OuinetVerificationException(OuinetVerificationError.ChunkFormat,
                    $"Chunk extension {extension.Name} near block {blockIndex} is unusable: {error} (64 bytes of padded base64 expected).", blockIndex);
            }
            list.Add(value!);
        }
        return line;
    }
}
