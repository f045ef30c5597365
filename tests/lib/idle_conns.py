#!/usr/bin/python3
"""idle_conns.py HOST PORT COUNT STATS-FILE

Holds COUNT idle TCP connections to HOST:PORT open (connected, sending
nothing), reconnecting each one the server closes, until SIGTERM; then
writes "max=<most held at once> made=<connections made>" to STATS-FILE.
Connections refused (the server not up yet) are retried. A test's hostile
client: idle connections must not crowd out real requests.
"""
import errno
import selectors
import signal
import socket
import sys
import time

host, port, count, stats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
family = socket.AF_INET6 if ":" in host else socket.AF_INET
sel = selectors.DefaultSelector()
pending = {}    # socket -> connect started (monotonic)
held = set()
made = 0
most = 0
stop = False


def on_term(signum, frame):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_term)


def start():
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setblocking(False)
    err = s.connect_ex((host, port))
    if err not in (0, errno.EINPROGRESS):
        s.close()
        return False
    pending[s] = time.monotonic()
    sel.register(s, selectors.EVENT_WRITE)
    return True


def drop(s):
    sel.unregister(s)
    held.discard(s)
    pending.pop(s, None)
    s.close()


while not stop:
    while len(pending) + len(held) < count:
        if not start():
            break
    for key, ev in sel.select(timeout=0.05):
        s = key.fileobj
        if s in pending:
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) != 0:
                drop(s)
                continue
            del pending[s]
            held.add(s)
            made += 1
            sel.modify(s, selectors.EVENT_READ)
        else:
            # Readable: the server closed it (or answered): reconnect.
            drop(s)
    now = time.monotonic()
    for s in [s for s, t in pending.items() if now - t > 2]:
        drop(s)
    most = max(most, len(held))
    if len(pending) + len(held) < count:
        time.sleep(0.02)

with open(stats, "w") as f:
    f.write("max=%d made=%d\n" % (most, made))
