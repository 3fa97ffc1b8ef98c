#!/usr/bin/env bash
# The overlay's loopback figures (bench/run.sh overlay): ping RTT over the UDP shim and over a unicast layer against a
# plain UDP echo; one-flow throughput (ouinet overlay perf) against Ouinet.Utp and TCP (Ouinet.UtpBench's two ends);
# reconvergence time after a member of a ring is killed. Every overlay member is its own `ouinet` process.
# Prints the markdown sections on stdout. PINGS (default 500), PERF_SECONDS (default 5), BYTES (64 MiB), RUNS (3).
set -euo pipefail
cd "$(dirname "$0")/.."
ouinet=src/Ouinet.Cli/bin/Release/net10.0/ouinet.dll
utpbench=bench/Ouinet.UtpBench/bin/Release/net10.0/Ouinet.UtpBench.dll
pings=${PINGS:-500}
perf_seconds=${PERF_SECONDS:-5}
bytes=${BYTES:-67108864}
runs=${RUNS:-3}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_ports() { # N -> N free UDP ports on loopback
  python3 - "$1" <<'PY'
import socket, sys
socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

# member I of a unicast layer "uni" on loopback: enrols through UP (none: bootstraps), connects to CONN (space-separated)
member_conf() { # file i "ports..." up "conn..." extra-top extra-unicast
  local file=$1 i=$2 up=$4 conn=$5 top=$6 uni=$7
  local -a ports=($3)
  local dir="" j
  for j in "${!ports[@]}"; do [ "$j" = "$i" ] || dir+="\"uni.$j=127.0.0.1:${ports[$j]}\", "; done
  local role="bootstrap = \"uni\""
  if [ -n "$up" ]; then
    local c="" k
    for k in $conn; do c+="\"uni.$k\", "; done
    role="enrol = \"uni.$up\"
conn = [${c%, }]"
  fi
  cat > "$file" <<EOF
$top
[udp4.udp]
bootstrap = "udp"
ip = "127.0.0.1"
port = ${ports[$i]}
dir = [${dir%, }]
reg = ["uni.$i"]

[unicast."uni.$i"]
$role
ls_t_recalc = 0.1
ls_t_update = 2
ls_t_timeo = 6
conn_timeout = 1000
$uni
EOF
}

shim_conf() { # file port extra-shim extra-top
  cat > "$1" <<EOF
${4:-}
[udp4.udp]
bootstrap = "udp"
ip = "127.0.0.1"
port = $2
$3
EOF
}

start() { # args... (background ouinet process; pid appended to pids)
  dotnet "$ouinet" "$@" > "$work/log.$RANDOM" 2>&1 &
  pids+=($!)
}

stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }

rtt_line() { grep -o 'rtt min/avg/max/mdev = [0-9./]*' | sed 's/.*= //'; }

# --- RTT -----------------------------------------------------------------------------------------------------------
udp_echo=$(python3 - "$pings" <<'PY'
import socket, threading, time, statistics, sys
n = int(sys.argv[1])
srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); srv.bind(("127.0.0.1", 0))
def echo():
    while True:
        data, addr = srv.recvfrom(2048)
        if data == b"stop": return
        srv.sendto(data, addr)
threading.Thread(target=echo, daemon=True).start()
cli = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); cli.settimeout(1)
rtts = []
for i in range(n):
    t = time.perf_counter(); cli.sendto(i.to_bytes(4, "big") + bytes(60), srv.getsockname()); cli.recvfrom(2048)
    rtts.append((time.perf_counter() - t) * 1000); time.sleep(0.005)
cli.sendto(b"stop", srv.getsockname())
print("%.3f/%.3f/%.3f/%.3f" % (min(rtts), statistics.mean(rtts), max(rtts), statistics.pstdev(rtts)))
PY
)

read -r sp pp <<< "$(free_ports 2)"
shim_conf "$work/shim-echo.conf" "$sp" 'reg = ["oping"]' $'[name.oping]\nprog = ["oping"]'
shim_conf "$work/shim-ping.conf" "$pp" "dir = [\"oping=127.0.0.1:$sp\"]"
start overlay node --config "$work/shim-echo.conf"
sleep 1
shim=$(dotnet "$ouinet" overlay ping oping --config "$work/shim-ping.conf" -c "$pings" -i 5 -q raw -Q | rtt_line)
stop_all

# unicast: the echo member (0) bootstraps the layer, member 1 relays; the pingers are members of their own (the tools
# embed a node): one hop = enrolled through member 0 (2), two hops = through member 1 (3).
read -r -a ports <<< "$(free_ports 4)"
member_conf "$work/u0.conf" 0 "${ports[*]}" "" "" $'[name.oping]\nprog = ["oping"]' 'reg = ["oping"]'
member_conf "$work/u1.conf" 1 "${ports[*]}" 0 0 "" ""
member_conf "$work/p1.conf" 2 "${ports[*]}" 0 0 "" ""
member_conf "$work/p2.conf" 3 "${ports[*]}" 1 1 "" ""
start overlay node --config "$work/u0.conf"
sleep 1
start overlay node --config "$work/u1.conf"
sleep 2
unicast1=$(dotnet "$ouinet" overlay ping oping --config "$work/p1.conf" -c "$pings" -i 5 -q raw -Q | rtt_line)
unicast2=$(dotnet "$ouinet" overlay ping oping --config "$work/p2.conf" -c "$pings" -i 5 -q raw -Q | rtt_line)
stop_all

# --- throughput ----------------------------------------------------------------------------------------------------
perf_mbps() { grep -o '[0-9.]* Mbps' | head -1 | sed 's/ Mbps//'; }
declare -A tput
for run in $(seq "$runs"); do
  read -r sp pp <<< "$(free_ports 2)"
  shim_conf "$work/shim-perf.conf" "$sp" 'reg = ["operf"]' $'[name.operf]\nprog = ["operf"]'
  shim_conf "$work/shim-perfc.conf" "$pp" "dir = [\"operf=127.0.0.1:$sp\"]"
  start overlay node --config "$work/shim-perf.conf"
  sleep 1
  tput[shim]+="$(dotnet "$ouinet" overlay perf operf --config "$work/shim-perfc.conf" -d "$perf_seconds" -q data | perf_mbps) "
  stop_all

  read -r -a ports <<< "$(free_ports 2)"
  member_conf "$work/v0.conf" 0 "${ports[*]}" "" "" $'[name.operf]\nprog = ["operf"]' 'reg = ["operf"]'
  member_conf "$work/v1.conf" 1 "${ports[*]}" 0 0 "" ""
  start overlay node --config "$work/v0.conf"
  sleep 1
  tput[unicast]+="$(dotnet "$ouinet" overlay perf operf --config "$work/v1.conf" -d "$perf_seconds" -q data | perf_mbps) "
  stop_all

  for kind in utp utp-small tcp; do
    proto=${kind%%-*}; extra=(); [ "$kind" = utp-small ] && extra=(--small-packets)
    dotnet "$utpbench" "$proto-recv" "${extra[@]}" > "$work/recv.txt" 2>&1 &
    recv=$!
    for _ in $(seq 300); do grep -q '^ready ' "$work/recv.txt" && break; sleep 0.1; done
    port=$(sed -n 's/^ready //p' "$work/recv.txt")
    dotnet "$utpbench" "$proto-send" --peer "127.0.0.1:$port" --bytes "$bytes" "${extra[@]}" >/dev/null
    wait "$recv"
    json=$(grep '^{' "$work/recv.txt")
    tput[$kind]+="$(python3 -c 'import json,sys; f=json.loads(sys.argv[1])["flows"][0]; print("%.1f" % (f["bytes"]*8/f["seconds"]/1e6))' "$json") "
  done
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# --- reconvergence -------------------------------------------------------------------------------------------------
# Ring 0-1-2-3-4-0, oping at 0, the pinger enrolled through 2 (shortest path 2-1-0); member 1 is killed after 3 s.
reconv=()
for run in $(seq "$runs"); do
  read -r -a ports <<< "$(free_ports 6)"
  for i in 0 1 2 3 4; do
    case $i in
      0) member_conf "$work/r$i.conf" 0 "${ports[*]}" "" "" $'[name.oping]\nprog = ["oping"]' 'reg = ["oping"]';;
      4) member_conf "$work/r$i.conf" 4 "${ports[*]}" 3 "3 0" "" "";;
      *) member_conf "$work/r$i.conf" "$i" "${ports[*]}" $((i - 1)) $((i - 1)) "" "";;
    esac
  done
  member_conf "$work/rp.conf" 5 "${ports[*]}" 2 2 "" ""
  start overlay node --config "$work/r0.conf"; sleep 0.5
  killme=""
  for i in 1 2 3 4; do start overlay node --config "$work/r$i.conf"; [ "$i" = 1 ] && killme=${pids[-1]}; done
  sleep 4
  dotnet "$ouinet" overlay ping oping --config "$work/rp.conf" -c 100000 -i 10 -q raw -d 12 > "$work/ring-ping.txt" 2>&1 &
  ping_pid=$!
  # wait for the first replies, then 3 s more, then kill member 1
  for _ in $(seq 200); do grep -q 'seq=' "$work/ring-ping.txt" && break; sleep 0.1; done
  sleep 3
  kill -9 "$killme"
  wait "$ping_pid" || true
  reconv+=("$(grep -o 'seq=[0-9]*' "$work/ring-ping.txt" | cut -d= -f2 | sort -n | awk 'NR>1 && $1-p>g {g=$1-p} {p=$1} END{print (g-1)*10}')")
  stop_all
done

cat <<EOF
## Loopback: ping RTT (ms), one process per member, $pings pings of 64 bytes 5 ms apart, raw QoS

| path | rtt min/avg/max/mdev (ms) |
|---|---|
| plain UDP echo (Python, one process, for the floor) | $udp_echo |
| \`ouinet overlay ping\` over the udp4 shim (2 processes) | $shim |
| over a unicast layer, one hop (2 members) | $unicast1 |
| over a unicast layer, two hops (3 members, one relay) | $unicast2 |

## Loopback: one flow's throughput (Mbit/s, median of $runs runs; runs in brackets)

| transfer | Mbit/s | runs |
|---|---:|---|
| \`ouinet overlay perf\` over the udp4 shim, qos data, 1000-byte messages, ${perf_seconds} s | $(echo "${tput[shim]}" | median) | ${tput[shim]} |
| \`ouinet overlay perf\` over a unicast layer (2 members), qos data, 1000-byte messages, ${perf_seconds} s | $(echo "${tput[unicast]}" | median) | ${tput[unicast]} |
| Ouinet.Utp, 1400-byte packets (any non-loopback peer), $((bytes / 1048576)) MiB | $(echo "${tput[utp-small]}" | median) | ${tput[utp-small]} |
| Ouinet.Utp, 64000-byte loopback datagrams, $((bytes / 1048576)) MiB | $(echo "${tput[utp]}" | median) | ${tput[utp]} |
| TCP (loopback), $((bytes / 1048576)) MiB | $(echo "${tput[tcp]}" | median) | ${tput[tcp]} |

## Reconvergence after a member is killed (ring of 5 processes, conn_timeout 1 s, ls_t_recalc 0.1 s)

Pings every 10 ms (raw) from a member enrolled through member 2 to a name at member 0; member 1, on the shortest path,
is killed with SIGKILL. Outage = the longest run of lost pings × 10 ms, over $runs runs: **$(printf '%s\n' "${reconv[@]}" | median) ms** median
(runs: ${reconv[*]} ms).
EOF
