#!/usr/bin/env bash
# Runs a benchmark suite and writes its table, with its baseline from the same run, to bench/results/<suite>.md.
# Usage: bench/run.sh protocol|injector|client
set -euo pipefail
cd "$(dirname "$0")/.."
suite=${1:?usage: bench/run.sh protocol|injector|client}
case "$suite" in
  protocol) filter='*ProtocolStreamBenchmarks*'; title="Signing and verifying a 64 MiB response as a stream";;
  injector)
    # End to end on loopback: Kestrel origin + injector in-process, squid and wrk from Debian, all in one run.
    missing=()
    for p in squid wrk; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    if ((${#missing[@]})); then
      sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
      $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    dotnet build bench/Ouinet.Injector.Bench -c Release -nologo -clp:ErrorsOnly
    dotnet bench/Ouinet.Injector.Bench/bin/Release/net10.0/Ouinet.Injector.Bench.dll bench/results/injector.md "${2:-10}"
    exit 0;;
  client)
    # Cache hits through `ouinet client` (its own process) vs Debian's nginx serving the same files, wrk load, same run.
    missing=()
    for p in nginx wrk; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    if ((${#missing[@]})); then
      sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
      $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    dotnet build src/Ouinet.Cli -c Release -nologo -clp:ErrorsOnly
    dotnet build bench/Ouinet.Client.Bench -c Release -nologo -clp:ErrorsOnly
    dotnet bench/Ouinet.Client.Bench/bin/Release/net10.0/Ouinet.Client.Bench.dll bench/results/client.md "${2:-10}"
    exit 0;;
  *) echo "unknown suite $suite (known: protocol, injector, client)" >&2; exit 2;;
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
