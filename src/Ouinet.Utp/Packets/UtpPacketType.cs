namespace Ouinet.Utp.Packets;

/// <summary>The <c>type</c> field of a BEP 29 header.</summary>
public enum UtpPacketType : byte
{
    /// <summary>ST_DATA: carries payload.</summary>
    Data = 0,

    /// <summary>ST_FIN: the sender's last sequence number; no more data follows.</summary>
    Fin = 1,

    /// <summary>ST_STATE: an ACK; does not take a sequence number.</summary>
    State = 2,

    /// <summary>ST_RESET: the connection is gone.</summary>
    Reset = 3,

    /// <summary>ST_SYN: opens a connection; carries the id the initiator receives on.</summary>
    Syn = 4,
}
