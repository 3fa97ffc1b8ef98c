namespace Ouinet.Dht.Messages;

/// <summary>Why a datagram is not a usable KRPC message.</summary>
public enum KrpcDecodeError
{
    None,

    /// <summary>Not valid bencode, or over the KRPC limits (see <see cref="Bencoding.BencodeLimits.Krpc"/>).</summary>
    Bencode,
    NotADictionary,
    MissingTransactionId,
    TransactionIdTooLong,
    MissingType,
    UnknownType,
    DuplicateKey,

    /// <summary>A known key holds the wrong kind of value (e.g. <c>port</c> as a string).</summary>
    WrongValueType,
    MissingQueryName,
    MissingArguments,
    MissingId,
    InvalidId,
    MissingTarget,
    MissingInfoHash,
    InvalidPort,
    MissingToken,
    InvalidToken,

    /// <summary><c>nodes</c> whose length is not a multiple of 26.</summary>
    InvalidNodes,

    /// <summary>A <c>values</c> entry that is not a 6- or 18-byte compact endpoint.</summary>
    InvalidValues,

    /// <summary>An <c>ip</c> field that is not a 6- or 18-byte compact endpoint.</summary>
    InvalidIp,
    MissingResponse,
    InvalidError,
    FieldTooLong,
}
