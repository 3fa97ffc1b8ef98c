#!/usr/bin/env bash
# Runs every test. Installs what the tests need when missing, builds in Release, runs all test projects,
# and ends with one line: "N passed, N failed, N skipped". Exit status is non-zero on any failure.
# Extra arguments go to `dotnet test` (e.g. ./test.sh --filter-class '*Chunked*').
set -uo pipefail
cd "$(dirname "$0")"

# Debian packages the tests use: python3-cryptography runs the independent static-cache verifier;
# python3-libtorrent is the other DHT and uTP implementation in the interop tests (shared/interop/dht_peer.py, utp_peer.py);
# chromium (driven by Playwright, no browser download) and libnss3-tools (certutil, to trust the client CA) run the
# browser end-to-end tests; iproute2 (ip netns) and nftables (loss and duplication on a veth link) run the overlay's
# network-namespace experiments.
APT_PACKAGES=(python3-cryptography python3-libtorrent chromium libnss3-tools iproute2 nftables)

install_missing() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  echo "test.sh: installing ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

if ((${#APT_PACKAGES[@]})); then
  install_missing || { echo "test.sh: could not install ${APT_PACKAGES[*]}" >&2; echo "0 passed, 1 failed"; exit 1; }
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! dotnet build Ouinet.slnx -c Release -nologo -clp:ErrorsOnly; then
  echo "test.sh: build failed" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

log=$(mktemp)
dotnet test --solution Ouinet.slnx -c Release --no-build --no-progress --no-ansi --timeout 20m "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
line=$(awk '/^Test run summary:/{s=1}
  s && $1=="succeeded:"{p=$2} s && $1=="failed:"{f=$2} s && $1=="skipped:"{k=$2} s && $1=="error:"{e=$2}
  END{ if (s) printf "%d passed, %d failed, %d skipped\n", p, f+e, k }' "$log")
rm -f "$log"
if [ -z "$line" ]; then
  line="0 passed, 1 failed"
  [ "$rc" -ne 0 ] || rc=1
fi
echo "$line"
exit "$rc"
