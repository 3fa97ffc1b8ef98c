#!/usr/bin/env bash
# Runs a benchmark suite and writes its table, with its baseline from the same run, to bench/results/<suite>.md.
# Usage: bench/run.sh protocol|utp
set -euo pipefail
cd "$(dirname "$0")/.."
suite=${1:?usage: bench/run.sh protocol|utp}

if [ "$suite" = "utp" ]; then
  # Not BenchmarkDotNet: process-to-process transfers side by side (Ouinet.Utp, libtorrent's uTP through
  # ../shared/interop/utp_peer.py with Debian's python3-libtorrent, TCP), clean and through a 1 % loss relay.
  # SIZE (bytes, default 256 MiB) and RUNS (default 3) can be set in the environment.
  dotnet build bench/Ouinet.UtpBench -c Release -nologo -clp:ErrorsOnly
  dotnet bench/Ouinet.UtpBench/bin/Release/net10.0/Ouinet.UtpBench.dll compare \
    --size "${SIZE:-268435456}" --runs "${RUNS:-3}" --out bench/results/utp.md
  exit 0
fi

case "$suite" in
  protocol) filter='*ProtocolStreamBenchmarks*'; title="Signing and verifying a 64 MiB response as a stream";;
  *) echo "unknown suite $suite (known: protocol, utp)" >&2; exit 2;;
esac

dotnet build bench/Ouinet.Benchmarks -c Release -nologo -clp:ErrorsOnly
artifacts=$(mktemp -d)
(cd bench/Ouinet.Benchmarks && dotnet run -c Release --no-build -- --filter "$filter" --job short --exporters github --artifacts "$artifacts" >/dev/null)
report=$(ls "$artifacts"/results/*-report-github.md)
{
  echo "# $title"
  echo
  echo "Rerun with \`bench/run.sh $suite\` (BenchmarkDotNet, ShortRun job). Generated $(date -u +%Y-%m-%d)."
  echo "The baseline row is the floor: what hashing alone costs over the same buffer in the same run."
  echo "Throughput relative to it is 1 / Ratio."
  echo
  sed -e 's/&#39;//g' "$report"
} > "bench/results/$suite.md"
rm -rf "$artifacts"
cat "bench/results/$suite.md"
