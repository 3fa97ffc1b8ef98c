namespace Ouinet.Fuzz.Tests;

/// <summary>
/// Runs every fuzz target over its seed corpus and a few thousand deterministic mutations, so CI catches a decoder
/// that throws something other than its documented bad-input error. Long coverage-guided runs use fuzz/run.sh (AFL++).
/// </summary>
public class FuzzSmokeTests
{
    private const int Iterations = 3000;

    public static TheoryData<string> Targets => [.. FuzzTargets.All.Select(t => t.Name)];

    [Fact]
    public void EveryTarget_HasASeedCorpus()
    {
        foreach (var target in FuzzTargets.All)
        {
            Assert.True(Seeds(target.Name).Count > 0, $"fuzz/corpus/{target.Name} is empty");
        }
    }

    [Theory(Timeout = 60000)]
    [MemberData(nameof(Targets))]
    public async Task Target_SurvivesSeedsAndMutations(string name)
    {
        var target = FuzzTargets.Find(name);
        var seeds = Seeds(name);
        await Task.Run(() =>
        {
            foreach (var seed in seeds)
            {
                Run(target, seed, "seed");
            }
            var mutator = new Mutator(name.GetHashCode(StringComparison.Ordinal) ^ 20261125, seeds);
            for (var i = 0; i < Iterations; i++)
            {
                TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
                Run(target, mutator.Next(), $"mutation {i}");
            }
        }, TestContext.Current.CancellationToken);
    }

    private static void Run(FuzzTarget target, byte[] input, string what)
    {
        try
        {
            target.Execute(input);
        }
        catch (Exception e)
        {
            Assert.Fail($"{target.Name} threw on {what} (input hex {Convert.ToHexString(input.AsSpan(0, Math.Min(input.Length, 512)))}): {e}");
        }
    }

    private static List<byte[]> Seeds(string name)
    {
        var dir = Path.Combine(TestPaths.RepositoryRoot, "fuzz", "corpus", name);
        return Directory.Exists(dir) ? [.. Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal).Select(File.ReadAllBytes)] : [];
    }
}
