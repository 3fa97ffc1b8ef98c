#!/usr/bin/env python3
"""UDP relay that reorders datagrams as netem's `delay D reorder P%` does, for kernels built without sch_netem.

usage: reorder_relay.py LISTEN_IP LISTEN_PORT TARGET_IP TARGET_PORT DELAY_MS REORDER_PERCENT SEED

Every datagram is held DELAY_MS before it goes on, except that REORDER_PERCENT % of them (chosen at random) go at
once and so overtake the datagrams still held: netem's reordering. Both directions: a datagram from a client on
LISTEN goes to TARGET from a socket of that client's own (so TARGET sees one peer per client, and its answers come
back to the client from LISTEN, the address the client sent to). Prints "ready" once listening, then a line of
counters every second: forwarded, sent at once (reordered), of which overtook a held datagram.
"""
import heapq
import itertools
import random
import selectors
import socket
import sys
import time


def main():
    listen_ip, listen_port, target_ip, target_port, delay_ms, percent, seed = sys.argv[1:8]
    target = (target_ip, int(target_port))
    delay = float(delay_ms) / 1000
    percent = float(percent)
    rng = random.Random(int(seed))

    sel = selectors.DefaultSelector()
    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.bind((listen_ip, int(listen_port)))
    sel.register(listener, selectors.EVENT_READ, None)
    upstream = {}  # client address -> its socket towards the target
    held = []  # heap of (due, seq, socket, datagram, destination)
    seq = itertools.count()
    counts = {"forwarded": 0, "reordered": 0, "overtook": 0}

    def forward(sock, data, dest):
        if rng.random() * 100 < percent:
            counts["reordered"] += 1
            if any(h[2] is sock and h[4] == dest for h in held):
                counts["overtook"] += 1
            sock.sendto(data, dest)
            counts["forwarded"] += 1
        else:
            heapq.heappush(held, (time.monotonic() + delay, next(seq), sock, data, dest))

    print("ready", flush=True)
    next_report = time.monotonic() + 1
    while True:
        now = time.monotonic()
        while held and held[0][0] <= now:
            _, _, sock, data, dest = heapq.heappop(held)
            sock.sendto(data, dest)
            counts["forwarded"] += 1
        if now >= next_report:
            print(" ".join(f"{k} {v}" for k, v in counts.items()), flush=True)
            next_report = now + 1
        timeout = min(next_report, held[0][0] if held else next_report) - now
        for key, _ in sel.select(max(0, timeout)):
            sock = key.fileobj
            data, source = sock.recvfrom(65536)
            if key.data is None:  # from a client: on to the target from its own socket
                up = upstream.get(source)
                if up is None:
                    up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    up.bind(("0.0.0.0", 0))
                    upstream[source] = up
                    sel.register(up, selectors.EVENT_READ, source)
                forward(up, data, target)
            elif source == target:  # the target's answer: back to that client from the listening address
                forward(listener, data, key.data)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
