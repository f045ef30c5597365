#!/bin/sh
# The Debian package: `make deb` (dpkg-buildpackage -b) in a copy of the
# tree (the worktree's build/ stays as it is) makes
# ../certkeep_VERSION_ARCH.deb; it holds the binary, both man pages, the
# example manifest, the systemd units and tmpfiles.d file, the bash
# completion, the schema and the alert rules; its maintainer scripts
# neither enable nor start a unit; lintian reports no error (and does
# report one for a package without its copyright file: the check bites);
# unpacked into a scratch root, its certkeep prints the package version
# and its files work (completion offers commands, the example manifest
# loads).
. "$(dirname "$0")/../lib.sh"

for t in dpkg-buildpackage dh lintian; do
	command -v "$t" >/dev/null || { fail "$t installed"; done_testing; }
done

B=$T/b
mkdir -p "$B/certkeep"
# The tree as git has it (tracked files and new ones), else all of it.
if git -C "$SRC_DIR" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$SRC_DIR" && git ls-files -co --exclude-standard -z) |
	    (cd "$SRC_DIR" && xargs -0 tar -cf - --no-recursion) | tar -xf - -C "$B/certkeep"
else
	(cd "$SRC_DIR" && tar -cf - --exclude=./build --exclude=./tests/out --exclude=./certkeep .) |
	    tar -xf - -C "$B/certkeep"
fi
ok_if "debian/ in the copy" test -x "$B/certkeep/debian/rules"

t0=$(date +%s)
(cd "$B/certkeep" && DEB_BUILD_OPTIONS="nocheck noddebs" make deb) >"$T/build.log" 2>&1
rc=$?
is "$rc" 0 "make deb" || tail -20 "$T/build.log" | sed 's/^/#   /'
diag "package built in $(( $(date +%s) - t0 )) s"
ver=$(cd "$B/certkeep" && dpkg-parsechangelog -S Version)
arch=$(dpkg --print-architecture)
deb=$B/certkeep_${ver}_$arch.deb
ok_if "../certkeep_${ver}_$arch.deb made" test -f "$deb"
[ -f "$deb" ] || done_testing

list=$(dpkg -c "$deb" | awk '{ print $6 }')
for f in ./usr/bin/certkeep ./usr/share/man/man1/certkeep.1.gz \
    ./usr/share/man/man5/certkeep.yaml.5.gz \
    ./usr/share/doc/certkeep/examples/manifest.example.yaml \
    ./lib/systemd/system/certkeep.service ./lib/systemd/system/certkeep.timer \
    ./lib/systemd/system/certkeep-serve-http01.service \
    ./usr/lib/tmpfiles.d/certkeep.conf \
    ./usr/share/bash-completion/completions/certkeep \
    ./usr/share/certkeep/certkeep.schema.json \
    ./usr/share/certkeep/prometheus/certkeep-alerts.yml \
    ./usr/share/doc/certkeep/copyright; do
	like "$list" "^$(printf '%s' "$f" | sed 's/\./\\./g')\$" "the package holds $f"
done
unlike "$list" '^\./etc/systemd/' "no unit is enabled by a shipped symlink"
like "$(dpkg -f "$deb" Depends)" 'libcurl4.*libldns3|libldns3.*libcurl4' "Depends from the shared libraries"

mkdir -p "$T/ctl"
dpkg-deb -e "$deb" "$T/ctl"
scripts=$(cat "$T/ctl/postinst" "$T/ctl/prerm" "$T/ctl/postrm" "$T/ctl/preinst" 2>/dev/null)
unlike "$scripts" 'deb-systemd-invoke (start|restart)|systemctl (start|restart)' "maintainer scripts start nothing"
is "$(grep -B2 "deb-systemd-helper enable" "$T/ctl/postinst" | grep -c 'was-enabled')" \
    "$(grep -c "deb-systemd-helper enable" "$T/ctl/postinst")" \
    "postinst enables a unit only if the admin had enabled it"

lint=$(lintian "$deb" 2>&1)
unlike "$lint" '^E: ' "lintian: no error" || printf '%s\n' "$lint" | sed 's/^/#   /' | head -20
diag "lintian: $(printf '%s\n' "$lint" | grep -c '^[EW]: ') errors and warnings"
# The same check on a package without its copyright file must complain.
dpkg-deb -R "$deb" "$T/broken"
rm "$T/broken/usr/share/doc/certkeep/copyright"
(cd "$T/broken" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | xargs -0 md5sum >DEBIAN/md5sums)
dpkg-deb --root-owner-group -b "$T/broken" "$T/broken.deb" >/dev/null 2>&1
like "$(lintian "$T/broken.deb" 2>&1)" '^E: .*no-copyright-file' "lintian finds an error in a broken package"

# Unpacked into a scratch root.
dpkg -x "$deb" "$T/root"
is "$("$T/root/usr/bin/certkeep" version 2>&1)" "certkeep $ver" "the packaged certkeep prints the package version"
out=$(bash -c '. "$1"; COMP_WORDS=(certkeep ap); COMP_CWORD=1; _certkeep; echo "${COMPREPLY[*]}"' _ \
    "$T/root/usr/share/bash-completion/completions/certkeep")
is "$out" "apply" "the packaged completion completes"
"$T/root/usr/bin/certkeep" -m "$T/root/usr/share/doc/certkeep/examples/manifest.example.yaml" status >/dev/null 2>"$T/st.err"
is "$?" 0 "the packaged example manifest loads" || sed 's/^/#   /' "$T/st.err" | head -5
done_testing
