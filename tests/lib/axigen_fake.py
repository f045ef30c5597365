#!/usr/bin/env python3
"""A stand-in for Axigen's CLI service (port 7000), for testing
contrib/axigen-cli.sh only: the login dialogue and the "+OK:/-ERR:" then
"<prompt> " framing of Axigen's CLI service. It does not know Axigen's
commands: it answers -ERR to the lines matching --fail (regex) and +OK to
the rest, and appends every line it got to --log (the password as
"<password>", so tests can check it never leaks elsewhere).

usage: axigen_fake.py --port N --password-file F --log F [--fail REGEX]...
"""
import argparse, re, socket

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--password-file", required=True)
ap.add_argument("--log", required=True)
ap.add_argument("--fail", action="append", default=[])
a = ap.parse_args()
password = open(a.password_file).read().splitlines()[0]
fails = [re.compile(f, re.I) for f in a.fail]

srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", a.port))
srv.listen(4)

def serve(c):
    f = c.makefile("rb")
    log = open(a.log, "a")
    def out(s):
        c.sendall(s.encode())
    out("Welcome to the fake AXIGEN Command Line Interface\r\n<login> ")
    state = "login"
    depth = []
    for raw in f:
        line = raw.decode().rstrip("\r\n")
        if state == "password":
            log.write("<password>%s\n" % ("" if line == password else " (wrong)"))
            log.flush()
            if line == password:
                state = "root"
                out("+OK: Authentication successful\r\n<#> ")
            else:
                state = "login"
                out("-ERR: Authentication failed\r\n<login> ")
            continue
        log.write(line + "\n")
        log.flush()
        word = line.split(" ")[0].upper()
        if word in ("QUIT", "EXIT"):
            out("+OK: have a nice day\r\n")
            break
        if state == "login":
            if word == "USER":
                state = "password"
                out("<password> ")
            else:
                out("-ERR: You must login first\r\n<login> ")
            continue
        prompt = "<%s#> " % "-".join(depth)
        if any(r.search(line) for r in fails):
            out("-ERR: Command failed (fake)\r\n" + prompt)
            continue
        if word in ("CONFIG", "UPDATE", "ADD"):
            depth.append(line.split(" ")[1].lower() if " " in line else "x")
        elif word in ("COMMIT", "DONE", "BACK") and depth:
            depth.pop()
        out("+OK: command successful\r\n<%s#> " % "-".join(depth))
    c.close()
    log.close()

while True:
    conn, _ = srv.accept()
    try:
        serve(conn)
    except (OSError, UnicodeDecodeError):
        conn.close()
