#!/usr/bin/python3
"""http_probe.py HOST PORT MODE

A hostile or plain client of an http-01 responder. Prints one line:
  big    sends a 5000-byte request head (no end): "closed <secs>" when the
         server closes without an answer, "answered <status line>" else
  slow   sends half a request line and then nothing: "closed <secs>" when
         the server closes it (its head deadline), "open" after 10 s
  post   POSTs to a challenge path: the status line
"""
import socket
import sys
import time

host, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
family = socket.AF_INET6 if ":" in host else socket.AF_INET
s = socket.socket(family, socket.SOCK_STREAM)
s.settimeout(10)
s.connect((host, port))
t0 = time.monotonic()


def result():
    try:
        data = s.recv(4096)
    except socket.timeout:
        return "open"
    except ConnectionResetError:
        return "closed %.1f" % (time.monotonic() - t0)
    if not data:
        return "closed %.1f" % (time.monotonic() - t0)
    return "answered " + data.split(b"\r\n")[0].decode("ascii", "replace")


if mode == "big":
    try:
        s.sendall(b"GET /.well-known/acme-challenge/x HTTP/1.1\r\nX-Pad: " +
                  b"a" * 5000)
    except (BrokenPipeError, ConnectionResetError):
        print("closed %.1f" % (time.monotonic() - t0))
        sys.exit(0)
    print(result())
elif mode == "slow":
    s.sendall(b"GET /.well-known/acme-")
    print(result())
elif mode == "post":
    s.sendall(b"POST /.well-known/acme-challenge/abc HTTP/1.1\r\n"
              b"Host: x\r\nContent-Length: 0\r\n\r\n")
    print(result())
