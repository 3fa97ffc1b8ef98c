#!/usr/bin/env bash
# Coverage-guided fuzzing of one decoder with AFL++ and SharpFuzz.
# Usage: fuzz/run.sh <target> [seconds]     (targets: fuzz/run.sh --list)
# Findings land in fuzz/findings/<target>/ (ignored by git); reproduce one with
#   dotnet fuzz/work/Ouinet.Fuzz.dll <target> fuzz/findings/<target>/default/crashes/<file>
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: fuzz/run.sh <target> [seconds]}
seconds=${2:-300}

if [ "$target" = "--list" ]; then
  dotnet run --project fuzz/Ouinet.Fuzz -c Release -- --list
  exit 0
fi

command -v afl-fuzz >/dev/null || { sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo; $sudo apt-get install -y -qq afl++ >/dev/null; }
[ -x tools/sharpfuzz ] || dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path tools >/dev/null

# Instrument a private copy so the normal build stays uninstrumented.
work=fuzz/work
rm -rf "$work"
dotnet publish fuzz/Ouinet.Fuzz -c Release -o "$work" -nologo -clp:ErrorsOnly >/dev/null
for dll in Ouinet.Http Ouinet.Protocol Ouinet.Cache Ouinet.Dht Ouinet.Utp Ouinet.Overlay Ouinet.Injector ouinet; do
  tools/sharpfuzz "$work/$dll.dll" >/dev/null
done

out=fuzz/findings/$target
mkdir -p "$out"
AFL_SKIP_BIN_CHECK=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 \
  afl-fuzz -V "$seconds" -i "fuzz/corpus/$target" -o "$out" -t 5000 -m none -- dotnet "$work/Ouinet.Fuzz.dll" "$target" || true

crashes=$(find "$out" -path '*crashes/id*' | wc -l)
hangs=$(find "$out" -path '*hangs/id*' | wc -l)
execs=$(grep -h execs_done "$out"/default/fuzzer_stats 2>/dev/null | awk '{print $3}')
paths=$(grep -h corpus_count "$out"/default/fuzzer_stats 2>/dev/null | awk '{print $3}')
echo "$target: ${seconds}s, ${execs:-?} executions, ${paths:-?} corpus entries, $crashes crashes, $hangs hangs"
[ "$crashes" -eq 0 ]
