#!/usr/bin/env python3
"""An independent static-cache verifier, written from ouinet-protocol.md alone (no code shared with the C# one).

Usage: verify_static_cache.py PUBLIC_KEY_HEX REPOSITORY STATIC_ROOT
Prints one line per entry ("ok <uri>" or "bad <dir>: <reason>") and exits 0 only if every entry verifies.
Needs Debian's python3-cryptography (Ed25519).
"""
import base64
import hashlib
import os
import re
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def parse_head(data):
    if not data.endswith(b"\r\n\r\n"):
        raise ValueError("head does not end with an empty line")
    lines = data[:-4].decode("latin-1").split("\r\n")
    m = re.fullmatch(r"HTTP/1\.1 (\d{3})(?: .*)?", lines[0])
    if not m:
        raise ValueError("bad status line")
    fields = []
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep:
            raise ValueError("bad field line")
        fields.append((name, value.strip()))
    return int(m.group(1)), fields


def get(fields, name):
    values = [v for n, v in fields if n.lower() == name]
    return ", ".join(values) if values else None


def params(value):
    out = {}
    for part in re.findall(r'\s*([A-Za-z]+)=("[^"]*"|[^,]*)\s*,?', value):
        out[part[0]] = part[1].strip('"')
    return out


def verify_signature(key, raw_key, status, fields, sig_value):
    p = params(sig_value)
    if p.get("algorithm") != "hs2019":
        raise ValueError("algorithm is not hs2019")
    if p.get("keyId") != "ed25519=" + base64.b64encode(raw_key).decode():
        raise ValueError("keyId is not the trusted key")
    lines = []
    for name in p.get("headers", "(created)").split(" "):
        if name == "(response-status)":
            lines.append(f"(response-status): {status}")
        elif name == "(created)":
            lines.append(f"(created): {p['created']}")
        else:
            value = get(fields, name)
            if value is None:
                raise ValueError(f"signed header {name} is missing")
            lines.append(f"{name}: {value}")
    key.verify(base64.b64decode(p["signature"]), "\n".join(lines).encode("latin-1"))
    return p["headers"].split(" ")


def verify_entry(key, raw_key, repo, root, entry_dir):
    status, fields = parse_head(open(os.path.join(entry_dir, "head"), "rb").read())
    uri = get(fields, "x-ouinet-uri")
    h = hashlib.sha1(uri.encode()).hexdigest()
    if os.path.relpath(entry_dir, repo) != os.path.join("data-v3", h[:2], h[2:]):
        raise ValueError("entry is not stored under sha1(uri)")
    if get(fields, "x-ouinet-version") != "6":
        raise ValueError("not protocol version 6")
    signed = verify_signature(key, raw_key, status, fields, get(fields, "x-ouinet-sig1"))
    for name, _ in fields:
        if name.lower() not in signed and not name.lower().startswith("x-ouinet-sig"):
            raise ValueError(f"{name} is not covered by the signature")
    bsigs = params(get(fields, "x-ouinet-bsigs"))
    block_size = int(bsigs["size"])
    data_size = int(get(fields, "x-ouinet-data-size"))
    if os.path.exists(os.path.join(entry_dir, "body")):
        body = open(os.path.join(entry_dir, "body"), "rb").read()
    elif os.path.exists(os.path.join(entry_dir, "body-path")):
        rel = open(os.path.join(entry_dir, "body-path"), "rb").read().decode("utf-8")
        if rel.startswith("/") or any(c in ("", ".", "..") for c in rel.split("/")):
            raise ValueError("bad body-path")
        body = open(os.path.join(root, rel), "rb").read()
    else:
        body = b""
    if len(body) != data_size:
        raise ValueError("body size differs from X-Ouinet-Data-Size")
    digest = "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()
    if get(fields, "digest") != digest:
        raise ValueError("Digest mismatch")
    injection_id = params(get(fields, "x-ouinet-injection"))["id"]
    sigs_path = os.path.join(entry_dir, "sigs")
    lines = open(sigs_path, "rb").read().split(b"\n")[:-1] if os.path.exists(sigs_path) else []
    blocks = max(1, -(-data_size // block_size))
    if len(lines) != blocks and not (data_size == 0 and len(lines) == 0):
        raise ValueError(f"{len(lines)} sigs lines for {blocks} blocks")
    prev_sig, prev_chain = b"", b""
    for i, line in enumerate(lines):
        offset, sig, block_hash, stored_prev = line.decode().split(" ")
        if int(offset, 16) != i * block_size:
            raise ValueError(f"sigs line {i} has the wrong offset")
        block = body[i * block_size:(i + 1) * block_size]
        if base64.b64decode(block_hash) != hashlib.sha512(block).digest():
            raise ValueError(f"block {i} hash mismatch")
        if i > 0 and base64.b64decode(stored_prev) != prev_chain:
            raise ValueError(f"block {i} previous chained hash mismatch")
        chain = hashlib.sha512(prev_sig + prev_chain + hashlib.sha512(block).digest()).digest()
        signature = base64.b64decode(sig)
        key.verify(signature, injection_id.encode() + b"\0" + str(i * block_size).encode() + b"\0" + chain)
        prev_sig, prev_chain = signature, chain
    return uri


def main():
    raw_key = bytes.fromhex(sys.argv[1])
    key = Ed25519PublicKey.from_public_bytes(raw_key)
    repo, root = sys.argv[2], sys.argv[3]
    ok = True
    data = os.path.join(repo, "data-v3")
    for prefix in sorted(os.listdir(data)):
        for rest in sorted(os.listdir(os.path.join(data, prefix))):
            entry = os.path.join(data, prefix, rest)
            try:
                print("ok", verify_entry(key, raw_key, repo, root, entry))
            except (ValueError, KeyError, OSError, InvalidSignature, TypeError) as e:
                ok = False
                print(f"bad {entry}: {type(e).__name__} {e}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
