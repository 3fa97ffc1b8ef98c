using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Ouinet.Protocol.Headers;

/// <summary>
/// <c>X-Ouinet-Injection: id=&lt;id&gt;,ts=&lt;unix seconds&gt;</c>: the unique id of a cache entry and when it
/// was made. The id is part of every block signature.
/// </summary>
public sealed record InjectionHeader
{
    /// <summary>Creates the header; throws on an id with characters other than letters, digits, <c>-</c>, <c>_</c> (a bug in the caller).</summary>
    public InjectionHeader(string id, long timestamp)
    {
        if (!IsValidId(id))
        {
            throw new ArgumentException("An injection id is one or more ASCII letters, digits, '-' or '_'.", nameof(id));
        }
        ArgumentOutOfRangeException.ThrowIfNegative(timestamp);
        Id = id;
        Timestamp = timestamp;
    }

    /// <summary>The injection id (the spec's <c>injection-id</c>).</summary>
    public string Id { get; }

    /// <summary>Seconds since 1970-01-01 UTC.</summary>
    public long Timestamp { get; }

    /// <summary>A new entry made at <paramref name="now"/>, with a random id (a lower-case UUID, as Ouinet C++ makes).</summary>
    public static InjectionHeader New(DateTimeOffset now) => new(NewId(), now.ToUnixTimeSeconds());

    /// <summary>A random lower-case UUID, <c>8-4-4-4-12</c> hex digits.</summary>
    public static string NewId() => Guid.NewGuid().ToString("D");

    /// <summary>Whether <paramref name="id"/> is non-empty and only ASCII letters, digits, <c>-</c> and <c>_</c>.</summary>
    public static bool IsValidId(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return false;
        }
        foreach (var c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Parses <c>id=...,ts=...</c>: parameters in any order, whitespace around commas allowed, unknown
    /// parameters ignored, duplicates refused.
    /// </summary>
    public static bool TryParse(string? value, [NotNullWhen(true)] out InjectionHeader? header, out HeaderParseError error)
    {
        header = null;
        error = HeaderParameters.TryParse(value, StringComparison.Ordinal, out var parameters);
        if (error != HeaderParseError.None)
        {
            return false;
        }
        var id = HeaderParameters.Find(parameters, "id");
        var ts = HeaderParameters.Find(parameters, "ts");
        long timestamp = 0;
        error = id is null ? HeaderParseError.MissingId
            : !IsValidId(id) ? HeaderParseError.InvalidId
            : ts is null ? HeaderParseError.MissingTimestamp
            : !HeaderParameters.TryParseNonNegative(ts, out timestamp) ? HeaderParseError.InvalidTimestamp
            : HeaderParseError.None;
        if (error != HeaderParseError.None)
        {
            return false;
        }
        header = new InjectionHeader(id!, timestamp);
        return true;
    }

    /// <summary><c>id=&lt;id&gt;,ts=&lt;ts&gt;</c>.</summary>
    public string Format() => string.Create(CultureInfo.InvariantCulture, $"id={Id},ts={Timestamp}");

    /// <inheritdoc/>
    public override string ToString() => Format();
}
