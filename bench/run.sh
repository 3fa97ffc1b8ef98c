#!/usr/bin/env bash
# Runs a benchmark suite and writes its table, with its baseline from the same run, to bench/results/<suite>.md.
# Usage: bench/run.sh protocol|injector|client|dht|utp|overlay|dist-cache
#   overlay: every member its own `ouinet` process on loopback: ping RTT over the udp4 shim and a unicast layer vs a
#        plain UDP echo, one flow's throughput vs Ouinet.Utp and TCP, reconvergence after a member is killed
#        (bench/overlay.sh; PINGS, PERF_SECONDS, BYTES, RUNS from the environment). It rewrites the generated block of
#        bench/results/overlay.md; the experiments' sections there come from tests/Ouinet.Overlay.Tests.
#   utp: process-to-process transfers side by side (Ouinet.Utp, libtorrent's uTP through shared/interop/utp_peer.py,
#        TCP), clean and through a 1 % loss relay; SIZE (bytes, default 256 MiB) and RUNS (default 3) from the environment.
#   client: cache hits through `ouinet client` (its own process) vs Debian nginx serving the same files, wrk, same run;
#        then the cost of one hit in-process (bench/Ouinet.Client.HitCost: bytes allocated and CPU µs per request).
#   injector: end to end on loopback: Kestrel origin + injector in-process, squid and wrk from Debian, all in one run.
#   dht: the 10,000-node simulation (about 5 minutes on 2 cores), queries/s on loopback, and the codec's cost per datagram.
#        Extra arguments go to the simulation, e.g. bench/run.sh dht --nodes 2000 --lookups 300.
#   dist-cache: an entry (1 MiB, 64 MiB) fetched by a client from 1 and from 3 peers (private DHT, uTP, `ouinet` processes
#        on loopback) vs the same entry from its local cache, interleaved, same run; runs from the first argument (default 9, about a minute and a half).
set -euo pipefail
cd "$(dirname "$0")/.."
suite=${1:?usage: bench/run.sh protocol|injector|client|dht|utp|overlay|dist-cache}
shift

if [ "$suite" = injector ]; then
  missing=()
  for p in squid wrk; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if ((${#missing[@]})); then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  dotnet build bench/Ouinet.Injector.Bench -c Release -nologo -clp:ErrorsOnly
  dotnet bench/Ouinet.Injector.Bench/bin/Release/net10.0/Ouinet.Injector.Bench.dll bench/results/injector.md "${1:-10}"
  exit 0
fi

if [ "$suite" = client ]; then
  # Cache hits through `ouinet client` (its own process) vs Debian's nginx serving the same files, wrk load, same run.
  missing=()
  for p in nginx wrk; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if ((${#missing[@]})); then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  dotnet build src/Ouinet.Cli -c Release -nologo -clp:ErrorsOnly
  dotnet build bench/Ouinet.Client.Bench -c Release -nologo -clp:ErrorsOnly
  dotnet bench/Ouinet.Client.Bench/bin/Release/net10.0/Ouinet.Client.Bench.dll bench/results/client.md "${1:-10}"
  # The cost of one fresh hit in-process (allocation and CPU per request): steadier than req/s on a shared machine.
  dotnet build bench/Ouinet.Client.HitCost -c Release -nologo -clp:ErrorsOnly
  cost=bench/Ouinet.Client.HitCost/bin/Release/net10.0/Ouinet.Client.HitCost.dll
  {
    echo "## Cost of one fresh 10 KiB hit, in-process (\`bench/Ouinet.Client.HitCost\`)"
    echo
    echo "An OuinetClient in-process, driven over loopback keep-alive sockets by blocking driver threads that allocate nothing"
    echo "per request; CPU is the whole process's (client and driver). 1-minute load average before: $(cut -d' ' -f1 /proc/loadavg)."
    echo
    echo '```'
    for connections in 1 4; do dotnet "$cost" 20000 "$connections" | tail -1; done
    echo '```'
  } >> bench/results/client.md
  exit 0
fi

if [ "$suite" = overlay ]; then
  dotnet build src/Ouinet.Cli -c Release -nologo -clp:ErrorsOnly
  dotnet build bench/Ouinet.UtpBench -c Release -nologo -clp:ErrorsOnly
  load_before=$(cut -d' ' -f1 /proc/loadavg)
  block=$(bench/overlay.sh)
  generated="<!-- bench/run.sh overlay: begin -->
Generated $(date -u +%Y-%m-%d) by \`bench/run.sh overlay\` on $(nproc) cores, .NET $(dotnet --version); 1-minute load average before → after: $load_before → $(cut -d' ' -f1 /proc/loadavg).

$block
<!-- bench/run.sh overlay: end -->"
  python3 - bench/results/overlay.md "$generated" <<'PY'
import re, sys
path, block = sys.argv[1], sys.argv[2]
text = open(path).read()
pattern = re.compile(r"<!-- bench/run.sh overlay: begin -->.*<!-- bench/run.sh overlay: end -->", re.S)
text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
open(path, "w").write(text)
PY
  cat bench/results/overlay.md
  exit 0
fi

if [ "$suite" = dist-cache ]; then
  dotnet build src/Ouinet.Cli -c Release -nologo -clp:ErrorsOnly
  dotnet build bench/Ouinet.DistCache.Bench -c Release -nologo -clp:ErrorsOnly
  dotnet bench/Ouinet.DistCache.Bench/bin/Release/net10.0/Ouinet.DistCache.Bench.dll bench/results/dist-cache.md "${1:-9}"
  exit 0
fi

if [ "$suite" = utp ]; then
  dotnet build bench/Ouinet.UtpBench -c Release -nologo -clp:ErrorsOnly
  dotnet bench/Ouinet.UtpBench/bin/Release/net10.0/Ouinet.UtpBench.dll compare \
    --size "${SIZE:-268435456}" --runs "${RUNS:-3}" --out bench/results/utp.md
  exit 0
fi

bdn() { # filter -> BenchmarkDotNet's GitHub table
  local artifacts
  artifacts=$(mktemp -d)
  (cd bench/Ouinet.Benchmarks && dotnet run -c Release --no-build -- --filter "$1" --job short --exporters github --artifacts "$artifacts" >/dev/null)
  sed -e 's/&#39;//g' "$artifacts"/results/*-report-github.md
  rm -rf "$artifacts"
}

dotnet build bench/Ouinet.Benchmarks -c Release -nologo -clp:ErrorsOnly
case "$suite" in
  protocol)
    {
      echo "# Signing and verifying a 64 MiB response as a stream"
      echo
      echo "Rerun with \`bench/run.sh $suite\` (BenchmarkDotNet, ShortRun job). Generated $(date -u +%Y-%m-%d)."
      echo "The baseline row is the floor: what hashing alone costs over the same buffer in the same run."
      echo "Throughput relative to it is 1 / Ratio."
      echo
      bdn '*ProtocolStreamBenchmarks*'
    } > "bench/results/$suite.md";;
  dht)
    figures=$(cd bench/Ouinet.Benchmarks && dotnet run -c Release --no-build -- dht "$@")
    {
      echo "# Mainline DHT: simulation at 10,000 nodes, loopback throughput, codec cost"
      echo
      echo "Rerun with \`bench/run.sh dht\`. Generated $(date -u +%Y-%m-%d) on $(nproc) cores ($(uname -m), .NET $(dotnet --version))."
      echo "The simulation is deterministic (seed 1): the same code gives the same figures; only the wall time varies."
      echo
      echo "$figures"
      echo
      cat <<'NOTE'
Reading the figures: *time to first peer* is what a client waits for (`GetPeersAsync` yields a peer as soon as a node
returns it); *lookup end* is when the k closest nodes have answered, which an announce needs for their tokens. Under
churn, the tail of lookup times is made of departed nodes: each costs one slow timeout (0.3–2 s, adaptive) before
the lookup asks another node. *Messages* count the lookup's own datagrams, not the routing-table upkeep, which is the
*background traffic* line (all datagrams sent over the run, per node per second). *Memory per node* is the managed
heap after settling divided by the nodes (routing table, replacement caches, token and rate-limit state, and the
simulator's share). The loopback figure is one engine behind one lock: the DHT is not meant to be fast, only never
the bottleneck; a public node sees tens of queries a second.
NOTE
      echo
      echo "## Codec: cost per datagram (BenchmarkDotNet, ShortRun job)"
      echo
      bdn '*DhtCodecBenchmarks*'
    } > "bench/results/$suite.md";;
  *) echo "unknown suite $suite (known: protocol, injector, client, dht, utp, overlay, dist-cache)" >&2; exit 2;;
esac
cat "bench/results/$suite.md"
