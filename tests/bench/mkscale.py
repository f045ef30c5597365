#!/usr/bin/env python3
"""tests/bench/mkscale.py - seeds a large repository for tests/bench/scale.sh.

    mkscale.py [--records] STORE N HOSTS_PER_CERT DOMAIN

Writes N certificate sets c1..cN into STORE as the store writes them
(archive/c<i>/1/{cert,cert_auth,key,fullchain,combined}.pem and the
symlink letsencrypt/c<i> -> ../archive/c<i>/1), each with its own EC P-256
key and the names h<k>.s<i>.DOMAIN (k = 1..HOSTS_PER_CERT), 10 days old
with a 90-day lifetime, issued by one intermediate under one root (made
here, in STORE/../ca). The leaves carry no Authority Key Identifier, so
they have no ARI certID: a run with nothing due asks no CA anything.
With --records, each certificate also gets its state file
(state/c<i>.json) holding the record of what a full read of its set finds
(certinfo_record_to_json(): the identities of cert.pem, cert_auth.pem and
key.pem, validity, names, issuer, serial, key type), as `apply` would
write it: the first run then reads no set in full, and seeding 100,000
certificates does not wait for 100,000 full reads and 200,000 fsyncs.
Prints nothing; exit 1 on failure.
"""
import datetime
import json
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def ca_cert(subject, issuer, pub, signer, now, issuer_pub):
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
         .public_key(pub).serial_number(x509.random_serial_number())
         .not_valid_before(now - datetime.timedelta(days=1))
         .not_valid_after(now + datetime.timedelta(days=3650))
         .add_extension(x509.BasicConstraints(ca=True, path_length=None),
                        critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(pub),
                        critical=False)
         .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
             issuer_pub), critical=False))
    return b.sign(signer, hashes.SHA256())


def write(path, data, mode):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def fileid(path):
    """dev:ino:size:mtime_ns:ctime_ns, as the store's record has it."""
    st = os.stat(path)
    return "%d:%d:%d:%d:%d" % (st.st_dev, st.st_ino, st.st_size,
                               st.st_mtime_ns, st.st_ctime_ns)


def serial_hex(n):
    """As OpenSSL's BN_bn2hex(): upper case, whole bytes."""
    h = "%X" % n
    return "0" + h if len(h) % 2 else h


def state_text(d, cert, hosts):
    rec = {
        "version": 1,
        "files": {f: fileid(os.path.join(d, f))
                  for f in ("cert.pem", "cert_auth.pem", "key.pem")},
        "not_before": int(cert.not_valid_before_utc.timestamp()),
        "not_after": int(cert.not_valid_after_utc.timestamp()),
        "sans": hosts,
        "issuer": "CN=Scale Int CA",
        "issuer_cn": "Scale Int CA",
        "serial": serial_hex(cert.serial_number),
        "key_type": 0,                  # ec-p256
        "key_bits": 256,
    }
    st = {"version": 1, "consecutive_failures": 0, "verified": rec}
    return json.dumps(st, indent="\t", separators=(",", ":\t")).encode()


def main():
    args = sys.argv[1:]
    records = bool(args) and args[0] == "--records"
    if records:
        args = args[1:]
    store, n, per, domain = args[0], int(args[1]), int(args[2]), args[3]
    now = datetime.datetime.now(datetime.timezone.utc)
    root_key = ec.generate_private_key(ec.SECP256R1())
    int_key = ec.generate_private_key(ec.SECP256R1())
    root_name, int_name = name("Scale Root CA"), name("Scale Int CA")
    root = ca_cert(root_name, root_name, root_key.public_key(), root_key, now,
                   root_key.public_key())
    inter = ca_cert(int_name, root_name, int_key.public_key(), root_key, now,
                    root_key.public_key())
    int_pem = inter.public_bytes(serialization.Encoding.PEM)
    ca_dir = os.path.join(os.path.dirname(os.path.abspath(store)), "ca")
    os.makedirs(ca_dir, exist_ok=True)
    write(os.path.join(ca_dir, "root.pem"),
          root.public_bytes(serialization.Encoding.PEM), 0o644)
    for sub in ("letsencrypt", "archive", "state", "accounts", "locks"):
        os.makedirs(os.path.join(store, sub), mode=0o700, exist_ok=True)
    nb = now - datetime.timedelta(days=10)
    na = nb + datetime.timedelta(days=90)
    for i in range(1, n + 1):
        key = ec.generate_private_key(ec.SECP256R1())
        hosts = ["h%d.s%d.%s" % (k, i, domain) for k in range(1, per + 1)]
        cert = (x509.CertificateBuilder().subject_name(name(hosts[0]))
                .issuer_name(int_name).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(nb).not_valid_after(na)
                .add_extension(x509.SubjectAlternativeName(
                    [x509.DNSName(h) for h in hosts]), critical=False)
                .add_extension(x509.BasicConstraints(ca=False,
                                                     path_length=None),
                               critical=True)
                .sign(int_key, hashes.SHA256()))
        cpem = cert.public_bytes(serialization.Encoding.PEM)
        kpem = key.private_bytes(serialization.Encoding.PEM,
                                 serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())
        d = os.path.join(store, "archive", "c%d" % i, "1")
        os.makedirs(d, mode=0o700)
        write(os.path.join(d, "key.pem"), kpem, 0o600)
        write(os.path.join(d, "cert.pem"), cpem, 0o644)
        write(os.path.join(d, "cert_auth.pem"), int_pem, 0o644)
        write(os.path.join(d, "fullchain.pem"), cpem + int_pem, 0o644)
        write(os.path.join(d, "combined.pem"), kpem + cpem + int_pem, 0o600)
        os.symlink("../archive/c%d/1" % i,
                   os.path.join(store, "letsencrypt", "c%d" % i))
        if records:
            write(os.path.join(store, "state", "c%d.json" % i),
                  state_text(d, cert, hosts), 0o600)
    return 0


if __name__ == "__main__":
    sys.exit(main())
