namespace Ouinet.Http;

/// <summary>
/// One <c>;name=value</c> chunk extension (RFC 9112 §7.1.1). <see cref="Value"/> is unquoted (escapes undone);
/// null when the extension had no value. Ouinet carries block signatures in them (<c>ouisig</c>, ...).
/// </summary>
public readonly record struct ChunkExtension(string Name, string? Value);
