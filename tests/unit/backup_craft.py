#!/usr/bin/python3
# backup_craft.py SETDIR OUTDIR: hand-made backup tar streams for
# test_backup.c (which seals each the way `backup` does, then restores
# it): "modes" is a valid backup whose every entry has a hostile mode;
# each other one adds or changes one entry that restore must refuse.
import io
import json
import os
import sys
import tarfile

setdir, out = sys.argv[1], sys.argv[2]
FILES = ("cert.pem", "cert_auth.pem", "key.pem", "fullchain.pem",
         "combined.pem")


def add(tf, name, data=None, mode=0o644, kind=tarfile.REGTYPE, link=""):
    ti = tarfile.TarInfo(name)
    ti.mode, ti.type, ti.linkname, ti.mtime = mode, kind, link, 1700000000
    if data is None:
        tf.addfile(ti)
    else:
        ti.size = len(data)
        tf.addfile(ti, io.BytesIO(data))


def base(tf, name="n1", mode=0o777):
    idx = {"format": "certkeep-backup", "version": 1, "certificates": [name]}
    add(tf, "certkeep-backup.json", json.dumps(idx).encode(), mode)
    for d in ("letsencrypt", "letsencrypt/" + name, "state", "accounts",
              "accounts/acme.test"):
        add(tf, d, None, mode, tarfile.DIRTYPE)
    for f in FILES:
        with open(os.path.join(setdir, f), "rb") as fp:
            add(tf, "letsencrypt/%s/%s" % (name, f), fp.read(), mode)
    add(tf, "state/%s.json" % name, b'{"version": 1}\n', mode)
    add(tf, "accounts/acme.test/key.pem",
        b"-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n", mode)


V = {
    "modes": lambda tf: base(tf),
    "setuid": lambda tf: base(tf, mode=0o6755),
    "dotdot": lambda tf: (base(tf), add(tf, "../x", b"outside\n")),
    "dotdot_inner": lambda tf: (base(tf),
                                add(tf, "accounts/../../x", b"outside\n")),
    "absolute": lambda tf: (base(tf),
                            add(tf, os.path.join(out, "abs-x"), b"x\n")),
    "symlink": lambda tf: (base(tf),
                           add(tf, "accounts/acme.test/url", None, 0o777,
                               tarfile.SYMTYPE, "/etc/passwd")),
    "hardlink": lambda tf: (base(tf),
                            add(tf, "accounts/acme.test/url", None, 0o644,
                                tarfile.LNKTYPE, "letsencrypt/n1/key.pem")),
    "device": lambda tf: (base(tf),
                          add(tf, "accounts/acme.test/dev", None, 0o644,
                              tarfile.CHRTYPE)),
    "fifo": lambda tf: (base(tf),
                        add(tf, "state/n2.json", None, 0o644,
                            tarfile.FIFOTYPE)),
    "name_space": lambda tf: base(tf, "a b"),
    "name_hyphen": lambda tf: base(tf, "-rf"),
    "name_ctrl": lambda tf: base(tf, "a\x1b[31m"),
    "name_long": lambda tf: base(tf, "x" * 65),
    "state_nested": lambda tf: (base(tf),
                                add(tf, "state/sub/n1.json", b"{}\n")),
    "state_name": lambda tf: (base(tf),
                              add(tf, "state/bad name.json", b"{}\n")),
    "state_suffix": lambda tf: (base(tf), add(tf, "state/n1.txt", b"{}\n")),
    "account_dot": lambda tf: (base(tf),
                               add(tf, "accounts/acme.test/.hidden", b"x")),
    "account_top": lambda tf: (base(tf), add(tf, "accounts/key.pem", b"x")),
    "stray_dir": lambda tf: (base(tf),
                             add(tf, "etc", None, 0o755, tarfile.DIRTYPE)),
}

for name, fill in V.items():
    with tarfile.open(os.path.join(out, name + ".tar"), "w",
                      format=tarfile.USTAR_FORMAT) as tf:
        fill(tf)
print(" ".join(V))
