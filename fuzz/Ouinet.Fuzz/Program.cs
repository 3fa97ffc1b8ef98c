using Ouinet.Fuzz;
using SharpFuzz;

// Usage: Ouinet.Fuzz <target>        run under afl-fuzz (see fuzz/run.sh)
//        Ouinet.Fuzz <target> FILE   run one input, e.g. to reproduce a finding
//        Ouinet.Fuzz --list
if (args.Length == 0 || args[0] == "--list")
{
    foreach (var t in FuzzTargets.All)
    {
        Console.WriteLine($"{t.Name,-20} {t.Description}");
    }
    return 0;
}

if (args[0] == "--write-overlay-seeds" && args.Length > 1)
{
    // Regenerates fuzz/corpus/overlay-*/ from the codecs themselves.
    foreach (var (t, n, b) in OverlayFuzz.Seeds())
    {
        Directory.CreateDirectory(Path.Combine(args[1], t));
        File.WriteAllBytes(Path.Combine(args[1], t, n), b);
    }
    return 0;
}

var target = FuzzTargets.Find(args[0]);
if (args.Length > 1)
{
    target.Execute(File.ReadAllBytes(args[1]));
    Console.WriteLine("ok");
    return 0;
}

Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    target.Execute(buffer.ToArray());
});
return 0;
