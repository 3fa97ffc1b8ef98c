using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Ouinet.Http;

namespace Ouinet.Protocol.Signatures;

/// <summary>
/// The string an hs2019 signature is made over (draft-cavage-12 §2.3): one <c>name: value</c> line per covered
/// name, joined by <c>\n</c>, no final newline. <c>(response-status)</c> and <c>(created)</c> are pseudo-headers;
/// a field present several times gives one line with its trimmed values joined by <c>", "</c>.
/// </summary>
public static class SigningString
{
    /// <summary>
    /// Builds the signing string. False, naming the culprit in <paramref name="missingName"/>, when a covered
    /// field is absent from <paramref name="fields"/> or a pseudo-header is not one Ouinet uses: a signature over
    /// such a list cannot be checked. (A field present with an empty value is fine.)
    /// </summary>
    public static bool TryBuild(
        int status,
        long created,
        HttpFields fields,
        IReadOnlyList<string> headerNames,
        [NotNullWhen(true)] out string? signingString,
        [NotNullWhen(false)] out string? missingName)
    {
        var builder = new StringBuilder();
        foreach (var name in headerNames)
        {
            string? value;
            if (name.StartsWith('('))
            {
                value = name switch
                {
                    HttpSignature.ResponseStatusPseudoHeader => status.ToString(CultureInfo.InvariantCulture),
                    HttpSignature.CreatedPseudoHeader => created.ToString(CultureInfo.InvariantCulture),
                    _ => null,
                };
            }
            else
            {
                value = CombinedValue(fields, name);
            }
            if (value is null)
            {
                signingString = null;
                missingName = name;
                return false;
            }
            if (builder.Length > 0)
            {
                builder.Append('\n');
            }
            builder.Append(name.ToLowerInvariant()).Append(": ").Append(value);
        }
        signingString = builder.ToString();
        missingName = null;
        return true;
    }

    /// <summary>Builds the signing string for names known to be present (signing); throws naming a missing one.</summary>
    public static string Build(int status, long created, HttpFields fields, IReadOnlyList<string> headerNames) =>
        TryBuild(status, created, fields, headerNames, out var s, out var missing)
            ? s
            : throw new ArgumentException($"The signed header \"{missing}\" is not in the head.", nameof(headerNames));

    /// <summary>The bytes that are signed. Field values hold one char per wire byte (obs-text as U+0080..U+00FF), hence Latin-1.</summary>
    public static byte[] ToBytes(string signingString) => Encoding.Latin1.GetBytes(signingString);

    private static string? CombinedValue(HttpFields fields, string name)
    {
        string? combined = null;
        foreach (var field in fields)
        {
            if (string.Equals(field.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                var value = field.Value.AsSpan().Trim(" \t");
                combined = combined is null ? value.ToString() : string.Concat(combined, ", ", value);
            }
        }
        return combined;
    }
}
