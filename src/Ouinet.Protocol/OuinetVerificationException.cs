namespace Ouinet.Protocol;

/// <summary>
/// A signed response or stored entry failed verification. Carries the reference verifier's
/// <see cref="OuinetVerificationError"/> (print it with <see cref="Code"/>), a message saying exactly what was wrong,
/// and the block it concerns when there is one. A stream that fails is dead: nothing after the failure is trusted.
/// </summary>
public sealed class OuinetVerificationException : Exception
{
    public OuinetVerificationException(OuinetVerificationError error, string message, long? blockIndex = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
        BlockIndex = blockIndex;
    }

    public OuinetVerificationException()
        : this(OuinetVerificationError.Format, "Verification failed.")
    {
    }

    public OuinetVerificationException(string message)
        : this(OuinetVerificationError.Format, message)
    {
    }

    public OuinetVerificationException(string message, Exception innerException)
        : this(OuinetVerificationError.Format, message, null, innerException)
    {
    }

    /// <summary>Why verification failed.</summary>
    public OuinetVerificationError Error { get; }

    /// <summary>The code as the reference verifier prints it, e.g. <c>E_BLOCK_SIG</c>.</summary>
    public string Code => Error.ToCode();

    /// <summary>The index of the block concerned (in the whole entry, not the range), when the failure is about one.</summary>
    public long? BlockIndex { get; }
}
