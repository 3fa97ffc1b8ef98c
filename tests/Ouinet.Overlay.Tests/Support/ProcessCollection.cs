namespace Ouinet.Overlay.Tests.Support;

/// <summary>
/// The tests that start many <c>ouinet</c> processes (loopback and namespaces) run one at a time: together, on a
/// shared 2-core machine, their members' timers and enrolments starve each other.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ProcessCollection
{
    public const string Name = "overlay processes";
}
