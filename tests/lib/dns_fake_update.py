#!/usr/bin/python3
# dns_fake_update.py MODE PORTFILE: a DNS server on 127.0.0.1 (TCP, a free
# port written to PORTFILE) that answers every RFC 2136 UPDATE with
# NOERROR, without the key: MODE "unsigned" sends no TSIG record, MODE
# "badmac" a TSIG record of the request's key name and algorithm whose MAC
# is random bytes. No real server answers a signed update like this (Knot,
# BIND and PowerDNS sign their answers with the request's key), so this
# stands in for a spoofed or tampered answer, which certkeep must not
# believe. Runs until killed.
import os
import socket
import struct
import sys
import time

mode, portfile = sys.argv[1], sys.argv[2]


def name_end(msg, off):
    """Offset after the domain name at off (which may end in a pointer)."""
    while msg[off] != 0:
        if msg[off] & 0xC0 == 0xC0:
            return off + 2
        off += 1 + msg[off]
    return off + 1


def request_tsig(msg):
    """(key name wire, algorithm wire) of the request's TSIG record."""
    qd, an, ns, ar = struct.unpack("!4H", msg[4:12])
    off = 12
    for _ in range(qd):  # zone section
        off = name_end(msg, off) + 4
    for _ in range(an + ns + ar):
        start = off
        off = name_end(msg, off)
        rtype, _cls, _ttl, rdlen = struct.unpack("!HHIH", msg[off:off + 10])
        rdata = msg[off + 10:off + 10 + rdlen]
        if rtype == 250:
            alg = rdata[:name_end(rdata, 0)]
            return msg[start:off], alg
        off += 10 + rdlen
    return b"\x08certkeep\x00", b"\x0bhmac-sha256\x00"


def answer(msg):
    ident, flags = struct.unpack("!HH", msg[:4])
    opcode = (flags >> 11) & 0xF
    head = struct.pack("!HHHHHH", ident, 0x8000 | (opcode << 11), 0, 0, 0,
                       1 if mode == "badmac" else 0)
    if mode != "badmac":
        return head
    key, alg = request_tsig(msg)
    mac = os.urandom(32)
    now = int(time.time())
    rdata = (alg + struct.pack("!HIH", now >> 32, now & 0xFFFFFFFF, 300) +
             struct.pack("!H", len(mac)) + mac +
             struct.pack("!HHH", ident, 0, 0))
    return head + key + struct.pack("!HHIH", 250, 255, 0, len(rdata)) + rdata


def recv_exact(c, n):
    b = b""
    while len(b) < n:
        chunk = c.recv(n - len(b))
        if not chunk:
            raise EOFError
        b += chunk
    return b


s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(8)
with open(portfile + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
os.rename(portfile + ".tmp", portfile)
while True:
    c, _ = s.accept()
    try:
        c.settimeout(5)
        while True:
            n, = struct.unpack("!H", recv_exact(c, 2))
            a = answer(recv_exact(c, n))
            c.sendall(struct.pack("!H", len(a)) + a)
    except (EOFError, OSError, struct.error, IndexError):
        pass
    finally:
        c.close()
