#!/usr/bin/python3
"""A test SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives.

Each accepted message becomes OUT/NNNN.eml (the data as received) and
OUT/NNNN.json (envelope: mail_from, rcpt_tos, tls, auth_user), both written
atomically (temporary name, then rename) so a test polling OUT never reads
half a message.

usage: smtpd.py --port P --out DIR [--tls-cert F --tls-key F]
                [--auth USER:PASS] [--implicit-tls]
--tls-cert/--tls-key offer STARTTLS (or, with --implicit-tls, TLS from the
first byte); --auth requires AUTH LOGIN/PLAIN with these credentials.
"""
import argparse
import asyncio
import json
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult


class Keeper:
    def __init__(self, out):
        self.out = out
        self.n = 0

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        base = os.path.join(self.out, "%04d" % self.n)
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "helo": session.host_name,
            "auth_user": (session.auth_data.login.decode()
                          if session.authenticated and
                          getattr(session.auth_data, "login", None)
                          else None),
        }
        for ext, blob in ((".eml", data),
                          (".json", json.dumps(meta).encode())):
            tmp = base + ext + ".tmp"
            with open(tmp, "wb") as f:
                f.write(blob)
            os.rename(tmp, base + ext)
        return "250 OK stored %04d" % self.n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--implicit-tls", action="store_true")
    ap.add_argument("--auth")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)

    ctx = None
    if a.tls_cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.tls_cert, a.tls_key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        want_user, want_pass = a.auth.split(":", 1)
        ok = (getattr(auth_data, "login", b"") == want_user.encode() and
              getattr(auth_data, "password", b"") == want_pass.encode())
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    keeper = Keeper(a.out)

    def factory():
        kw = {"data_size_limit": 10 * 1024 * 1024, "decode_data": False}
        if ctx is not None and not a.implicit_tls:
            kw["tls_context"] = ctx
        if a.auth:
            kw["authenticator"] = authenticator
            kw["auth_required"] = True
            kw["auth_require_tls"] = False
        return SMTP(keeper, hostname="smtp.test", **kw)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    srv = loop.run_until_complete(loop.create_server(
        factory, host="127.0.0.1", port=a.port,
        ssl=ctx if a.implicit_tls else None))
    print("smtpd listening on 127.0.0.1:%d" % a.port, file=sys.stderr,
          flush=True)
    try:
        loop.run_forever()
    finally:
        srv.close()


if __name__ == "__main__":
    main()
