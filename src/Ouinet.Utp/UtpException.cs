namespace Ouinet.Utp;

/// <summary>Why a uTP connection ended abnormally.</summary>
public enum UtpError
{
    /// <summary>The peer sent ST_RESET.</summary>
    ConnectionReset,

    /// <summary>The peer refused the SYN with ST_RESET.</summary>
    ConnectionRefused,

    /// <summary>No answer: the SYN, retransmissions or keep-alives went unanswered for too long.</summary>
    TimedOut,

    /// <summary>This side aborted the connection (<see cref="UtpStream.Abort"/>, or a stream disposed before its FIN was acknowledged).</summary>
    Aborted,

    /// <summary>The <see cref="UtpSocket"/> was disposed.</summary>
    SocketClosed,
}

/// <summary>A uTP connection failed; <see cref="Error"/> says how.</summary>
public sealed class UtpException : IOException
{
    public UtpException(UtpError error)
        : base(Describe(error)) => Error = error;

    public UtpException()
        : this(UtpError.Aborted)
    {
    }

    public UtpException(string message)
        : base(message) => Error = UtpError.Aborted;

    public UtpException(string message, Exception innerException)
        : base(message, innerException) => Error = UtpError.Aborted;

    public UtpError Error { get; }

    private static string Describe(UtpError error) => error switch
    {
        UtpError.ConnectionReset => "The uTP peer reset the connection.",
        UtpError.ConnectionRefused => "The uTP peer refused the connection.",
        UtpError.TimedOut => "The uTP peer did not answer in time.",
        UtpError.Aborted => "The uTP connection was aborted.",
        _ => "The uTP socket was closed.",
    };
}
