#!/bin/sh
# plan and status over a repository of 100 certificates (made with
# openssl): wall time and peak memory of each, text and JSON. A run with
# nothing due must be fast (SPEC 4): each must finish under 5 seconds.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/mkcerts.sh"

N=${BENCH_CERTS:-100}
mkdir -p "$T/store/letsencrypt"
mkcerts_ca "$T/ca" || { echo "Bail out! openssl failed"; exit 1; }
{
	printf 'version: 1\nacme:\n  directory: https://127.0.0.1:14000/dir\n'
	printf '  contact: [hostmaster@example.com]\n  terms_accepted: true\n'
	printf 'store: store\nchallenge:\n  type: http-01\n'
	printf '  http-01: {webroot: %s/webroot}\ncertificates:\n' "$T"
	i=1
	while [ $i -le "$N" ]; do
		printf '  - name: c%d\n    hostnames: [c%d.example.com, www.c%d.example.com]\n' $i $i $i
		printf '    listeners:\n      - {server: dovecot, service: imap, address: "0.0.0.0:993"}\n'
		mkcerts_leaf "$T/ca" "$T/store/letsencrypt/c$i" ec-p256 10 90 \
		    "c$i.example.com,www.c$i.example.com" || exit 1
		i=$((i + 1))
	done
} >"$T/certkeep.yaml"

"$CERTKEEP" -m "$T/certkeep.yaml" plan 2>"$T/err" >/dev/null
if grep -q 'loader not built yet' "$T/err"; then
	skip "manifest loader not built yet"; done_testing
fi
# Fragments written once, as after an apply: then nothing is due.
"$CERTKEEP" -m "$T/certkeep.yaml" render >/dev/null 2>&1
for cmd in "plan" "status" "-o json plan" "-o json status"; do
	# shellcheck disable=SC2086
	/usr/bin/time -f '%e %M %U %S' -o "$T/time" "$CERTKEEP" -m "$T/certkeep.yaml" \
	    $cmd >"$T/out" 2>"$T/err"
	rc=$?
	read -r secs kb usr sys <<EOT
$(tail -1 "$T/time")
EOT
	echo "# $cmd, $N certificates: ${secs}s wall, ${usr}s user + ${sys}s sys, ${kb} KB peak"
	is "$rc" 0 "$cmd: exit 0 (nothing due)"
	ok "$(awk -v s="$secs" 'BEGIN { exit !(s < 5) }'; echo $?)" "$cmd under 5 s"
done
done_testing
