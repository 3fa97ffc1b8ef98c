using System.Globalization;

namespace Ouinet.Injector;

/// <summary>The codes of <c>X-Ouinet-Error: &lt;code&gt; &lt;text&gt;</c>, as Ouinet defines them.</summary>
public enum InjectorErrorCode
{
    VersionTooLow = 1,
    VersionTooHigh = 2,
    RetrievalFailed = 3,
    ProxyDisabled = 4,
    TargetNotAllowed = 5,
}

public static class InjectorErrorCodes
{
    /// <summary>The header value, with Ouinet's own text: e.g. <c>3 Resource retrieval failed</c>.</summary>
    public static string Format(InjectorErrorCode code) =>
        ((int)code).ToString(CultureInfo.InvariantCulture) + " " + code switch
        {
            InjectorErrorCode.VersionTooLow => "Client's version too low",
            InjectorErrorCode.VersionTooHigh => "Client's version too high",
            InjectorErrorCode.RetrievalFailed => "Resource retrieval failed",
            InjectorErrorCode.ProxyDisabled => "Proxy support disabled",
            InjectorErrorCode.TargetNotAllowed => "Request target not allowed",
            _ => throw new ArgumentOutOfRangeException(nameof(code)),
        };
}
