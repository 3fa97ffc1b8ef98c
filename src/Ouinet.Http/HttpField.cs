namespace Ouinet.Http;

/// <summary>One header or trailer field as it appeared on the wire (name case kept).</summary>
public readonly record struct HttpField(string Name, string Value)
{
    public override string ToString() => $"{Name}: {Value}";
}
