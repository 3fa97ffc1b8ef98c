using System.Collections;

namespace Ouinet.Http;

/// <summary>
/// Header (or trailer) fields in their original order, repeats kept, looked up case-insensitively.
/// Ouinet signatures cover fields in order of first appearance with repeats joined, so order matters.
/// </summary>
public sealed class HttpFields : IReadOnlyList<HttpField>
{
    private readonly List<HttpField> _fields;

    public HttpFields() => _fields = [];

    public HttpFields(IEnumerable<HttpField> fields)
    {
        _fields = [];
        foreach (var f in fields)
        {
            Add(f.Name, f.Value);
        }
    }

    public int Count => _fields.Count;

    public HttpField this[int index] => _fields[index];

    /// <summary>The first value of <paramref name="name"/>, or null.</summary>
    public string? this[string name] => Get(name);

    /// <summary>Appends a field. Names must be tokens and values must not hold CR, LF or NUL (no header injection).</summary>
    public void Add(string name, string value)
    {
        HttpSyntax.ValidateFieldName(name);
        HttpSyntax.ValidateFieldValue(value);
        _fields.Add(new HttpField(name, value));
    }

    /// <summary>Appends a field already checked by the parser.</summary>
    internal void AddTrusted(string name, string value) => _fields.Add(new HttpField(name, value));

    public bool Contains(string name) => IndexOf(name) >= 0;

    /// <summary>The first value of <paramref name="name"/>, or null.</summary>
    public string? Get(string name)
    {
        var i = IndexOf(name);
        return i < 0 ? null : _fields[i].Value;
    }

    /// <summary>Every value of <paramref name="name"/>, in order.</summary>
    // Most lookups are for fields a message does not have: those cost no enumerator.
    public IEnumerable<string> GetAll(string name) => IndexOf(name) < 0 ? [] : Values(name);

    private IEnumerable<string> Values(string name)
    {
        foreach (var f in _fields)
        {
            if (IsName(f, name))
            {
                yield return f.Value;
            }
        }
    }

    /// <summary>All values of <paramref name="name"/> joined with <c>", "</c> (RFC 9110 §5.3), or null when absent.</summary>
    public string? GetCombined(string name)
    {
        string? combined = null;
        foreach (var f in _fields)
        {
            if (IsName(f, name))
            {
                combined = combined is null ? f.Value : $"{combined}, {f.Value}";
            }
        }
        return combined;
    }

    /// <summary>Removes every field named <paramref name="name"/>; returns how many went.</summary>
    public int Remove(string name) => _fields.RemoveAll(f => IsName(f, name));

    /// <summary>Removes every field for which <paramref name="remove"/> holds.</summary>
    public void RemoveWhere(Func<HttpField, bool> remove) => _fields.RemoveAll(f => remove(f));

    /// <summary>
    /// Gives <paramref name="name"/> the single value <paramref name="value"/>: the first occurrence is replaced in
    /// place, later ones removed; appended when absent.
    /// </summary>
    public void Set(string name, string value)
    {
        HttpSyntax.ValidateFieldName(name);
        HttpSyntax.ValidateFieldValue(value);
        var i = IndexOf(name);
        if (i < 0)
        {
            _fields.Add(new HttpField(name, value));
            return;
        }
        _fields[i] = new HttpField(_fields[i].Name, value);
        for (var j = _fields.Count - 1; j > i; j--)
        {
            if (IsName(_fields[j], name))
            {
                _fields.RemoveAt(j);
            }
        }
    }

    public HttpFields Clone() => new(_fields);

    /// <summary>A struct enumerator: <c>foreach</c> over the fields allocates nothing.</summary>
    public List<HttpField>.Enumerator GetEnumerator() => _fields.GetEnumerator();

    IEnumerator<HttpField> IEnumerable<HttpField>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => string.Join("\r\n", _fields);

    private int IndexOf(string name)
    {
        for (var i = 0; i < _fields.Count; i++)
        {
            if (IsName(_fields[i], name))
            {
                return i;
            }
        }
        return -1;
    }

    private static bool IsName(HttpField f, string name) => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase);
}
