#!/usr/bin/python3
"""chaos_proxy.py - a fault-injecting TLS proxy between an ACME client and
a CA (Pebble), for tests. TLS on both sides: it serves CERT/KEY to the
client and verifies the CA against CA_FILE.

    chaos_proxy.py PORT_FILE UPSTREAM_HOST:PORT CERT KEY CA_FILE RATE LOG

Listens on a free port of 127.0.0.1 (written to PORT_FILE once ready).
Each request is forwarded as it came (the Host header too, so the CA
builds its URLs with the proxy's address); with probability RATE one
fault is put in instead, chosen uniformly among:

    500     HTTP 500 with a serverInternal problem document (not forwarded)
    503     HTTP 503 with a serverInternal problem document (not forwarded)
    503ra   HTTP 503 with "Retry-After: 1" (not forwarded)
    close   forwarded, then the connection is closed without an answer
            (the CA acted, the client never hears of it)
    delay   forwarded after 2 s
    cut     forwarded; a JSON answer is sent cut in half (Content-Length
            says the half: it looks complete)

LOG gets one line per request: "METHOD PATH FAULT" (FAULT "-" for none).
CHAOS_SEED (environment) seeds the choice.
"""
import http.client
import http.server
import json
import os
import random
import socket
import ssl
import sys
import threading
import time

FAULTS = ["500", "503", "503ra", "close", "delay", "cut"]
HOP = {"connection", "keep-alive", "transfer-encoding", "content-length",
       "proxy-connection", "upgrade", "te", "trailer"}


def main():
    port_file, upstream, cert, key, ca_file, rate, log_path = sys.argv[1:8]
    rate = float(rate)
    up_host, up_port = upstream.rsplit(":", 1)
    rng = random.Random(os.environ.get("CHAOS_SEED"))
    lock = threading.Lock()
    logf = open(log_path, "a", buffering=1)
    up_ctx = ssl.create_default_context(cafile=ca_file)

    def pick():
        with lock:
            if rng.random() < rate:
                return rng.choice(FAULTS)
            return "-"

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def problem(self, status, retry_after):
            body = json.dumps({
                "type": "urn:ietf:params:acme:error:serverInternal",
                "detail": "injected fault", "status": status}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/problem+json")
            self.send_header("Content-Length", str(len(body)))
            if retry_after:
                self.send_header("Retry-After", "1")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def forward(self, body):
            conn = http.client.HTTPSConnection(up_host, int(up_port),
                                               context=up_ctx, timeout=60)
            hdrs = {k: v for k, v in self.headers.items()
                    if k.lower() not in HOP}
            conn.request(self.command, self.path, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            headers = [(k, v) for k, v in resp.getheaders()
                       if k.lower() not in HOP]
            conn.close()
            return resp.status, headers, data

        def handle_any(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n > 0 else None
            fault = pick()
            logf.write("%s %s %s\n" % (self.command, self.path, fault))
            if fault in ("500", "503", "503ra"):
                self.problem(int(fault[:3]), fault == "503ra")
                return
            if fault == "delay":
                time.sleep(2)
            try:
                status, headers, data = self.forward(body)
            except OSError as e:
                self.problem(502, False)
                logf.write("# upstream: %s\n" % e)
                return
            if fault == "close":
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            ctype = dict((k.lower(), v) for k, v in headers).get(
                "content-type", "")
            if fault == "cut" and "json" in ctype and len(data) > 1:
                data = data[:len(data) // 2]
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = handle_any
        do_POST = handle_any
        do_HEAD = handle_any

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True

        def get_request(self):
            sock, addr = super().get_request()
            return srv_ctx.wrap_socket(sock, server_side=True), addr

        def handle_error(self, request, client_address):
            pass    # a client that went away: not the test's business

    srv_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    srv_ctx.load_cert_chain(cert, key)
    srv = Server(("127.0.0.1", 0), Handler)
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
