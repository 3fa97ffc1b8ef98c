namespace Ouinet.Http;

/// <summary>Classifies request targets.</summary>
public static class RequestTarget
{
    public static RequestTargetForm FormOf(string method, string target)
    {
        if (target.StartsWith('/'))
        {
            return RequestTargetForm.Origin;
        }
        if (target == "*" && method == "OPTIONS")
        {
            return RequestTargetForm.Asterisk;
        }
        if (method == "CONNECT")
        {
            return RequestTargetForm.Authority;
        }
        return RequestTargetForm.Absolute;
    }
}
