using BenchmarkDotNet.Running;

// `dht` runs the DHT simulation and loopback figures (not BenchmarkDotNet: they measure a system, not a method).
if (args.Length > 0 && args[0] == "dht")
{
    return await Ouinet.Benchmarks.Dht.DhtBench.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Ouinet.Benchmarks.ProtocolStreamBenchmarks).Assembly).Run(args);
return 0;
