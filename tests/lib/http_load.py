#!/usr/bin/python3
"""http_load.py HOST PORT PATH COUNT CONCURRENCY

GETs http://HOST:PORT/PATH COUNT times, CONCURRENCY connections at a time
(one request per connection, as an ACME validation makes), and prints
"ok=<200 answers> other=<other answers or failures> secs=<wall time>
rps=<requests per second>".
"""
import socket
import sys
import threading
import time

host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
count, conc = int(sys.argv[4]), int(sys.argv[5])
req = ("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
       % (path, host)).encode()
lock = threading.Lock()
left = [count]
res = {"ok": 0, "other": 0}


def worker():
    while True:
        with lock:
            if left[0] == 0:
                return
            left[0] -= 1
        try:
            s = socket.create_connection((host, port), timeout=5)
            s.sendall(req)
            data = b""
            while True:
                d = s.recv(4096)
                if not d:
                    break
                data += d
            s.close()
            k = "ok" if data.startswith(b"HTTP/1.1 200") else "other"
        except OSError:
            k = "other"
        with lock:
            res[k] += 1


t0 = time.monotonic()
ts = [threading.Thread(target=worker) for _ in range(conc)]
for t in ts:
    t.start()
for t in ts:
    t.join()
secs = time.monotonic() - t0
print("ok=%d other=%d secs=%.2f rps=%.0f"
      % (res["ok"], res["other"], secs, count / secs if secs > 0 else 0))
