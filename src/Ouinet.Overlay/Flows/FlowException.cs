namespace Ouinet.Overlay;

/// <summary>Ouroboros' error numbers (POSIX ones as Linux numbers them, then the <c>E*</c> 1000-range of <c>errno.h</c>).</summary>
public enum OverlayError
{
    Invalid = 22,
    MessageSize = 90,
    ConnectionReset = 104,
    TimedOut = 110,
    NotAllocated = 1000,
    IpcpType = 1001,
    Irmd = 1002,
    Ipcp = 1003,
    IpcpState = 1004,
    FlowDown = 1005,
    FlowPeer = 1006,
    Name = 1007,
    Crypt = 1008,
    Auth = 1009,
}

/// <summary>A flow operation that failed, carrying Ouroboros' error number.</summary>
public sealed class FlowException : IOException
{
    public FlowException()
        : this(OverlayError.NotAllocated, "The flow is not allocated.")
    {
    }

    public FlowException(string message)
        : this(OverlayError.Invalid, message)
    {
    }

    public FlowException(string message, Exception innerException)
        : base(message, innerException) => Error = OverlayError.Invalid;

    public FlowException(OverlayError error, string message)
        : base($"{message} ({Name(error)})") => Error = error;

    public OverlayError Error { get; }

    /// <summary>The number as Ouroboros returns it, negated.</summary>
    public int Code => -(int)Error;

    public static string Name(OverlayError error) => error switch
    {
        OverlayError.Invalid => "EINVAL",
        OverlayError.MessageSize => "EMSGSIZE",
        OverlayError.ConnectionReset => "ECONNRESET",
        OverlayError.TimedOut => "ETIMEDOUT",
        OverlayError.NotAllocated => "ENOTALLOC",
        OverlayError.IpcpType => "EIPCPTYPE",
        OverlayError.Irmd => "EIRMD",
        OverlayError.Ipcp => "EIPCP",
        OverlayError.IpcpState => "EIPCPSTATE",
        OverlayError.FlowDown => "EFLOWDOWN",
        OverlayError.FlowPeer => "EFLOWPEER",
        OverlayError.Name => "ENAME",
        OverlayError.Crypt => "ECRYPT",
        OverlayError.Auth => "EAUTH",
        _ => error.ToString(),
    };
}
