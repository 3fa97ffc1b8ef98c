using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Ouinet.Benchmarks.ProtocolStreamBenchmarks).Assembly).Run(args);
