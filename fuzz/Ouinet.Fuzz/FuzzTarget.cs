namespace Ouinet.Fuzz;

/// <summary>
/// One decoder of untrusted input under fuzzing. <see cref="Run"/> must return normally or throw one of the
/// decoder's documented "bad input" exceptions (see <see cref="IsExpected"/>); anything else is a finding.
/// </summary>
public sealed record FuzzTarget(string Name, string Description, Action<byte[]> Run, Func<Exception, bool> IsExpected)
{
    /// <summary>Runs the target and swallows only the exceptions bad input is allowed to cause.</summary>
    public void Execute(byte[] input)
    {
        try
        {
            Run(input);
        }
        catch (Exception e) when (IsExpected(e))
        {
        }
    }
}
