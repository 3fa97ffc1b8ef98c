using Ouinet.UtpBench;

// Throughput of uTP against TCP and libtorrent's uTP on loopback, every transfer between two processes.
//   compare [--size BYTES] [--runs N] [--out FILE]     the whole table (bench/run.sh utp)
//   utp-recv|tcp-recv [--small-packets] [--flows N]    one receiving end (prints "ready PORT", then one JSON line)
//   utp-send|tcp-send --peer IP:PORT --bytes N [--small-packets] [--flows N] [--seconds S]
return args.Length == 0 ? Usage() : args[0] switch
{
    "compare" => await Compare.RunAsync(Arguments.Parse(args[1..])),
    "utp-recv" => await Endpoints.ReceiveAsync(Arguments.Parse(args[1..]), utp: true),
    "tcp-recv" => await Endpoints.ReceiveAsync(Arguments.Parse(args[1..]), utp: false),
    "utp-send" => await Endpoints.SendAsync(Arguments.Parse(args[1..]), utp: true),
    "tcp-send" => await Endpoints.SendAsync(Arguments.Parse(args[1..]), utp: false),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Ouinet.UtpBench compare [--size BYTES] [--runs N] [--out FILE] | utp-recv|tcp-recv | utp-send|tcp-send --peer IP:PORT --bytes N");
    return 2;
}
