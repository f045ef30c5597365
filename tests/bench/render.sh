#!/bin/sh
# render over 100 certificates with listeners on every server (Axigen,
# Dovecot, Postfix, nginx, HAProxy; made with openssl): wall time and peak
# memory of the first render (every file written), of an unchanged render
# (nothing written, no hook) and of plan's fragment check; each must stay
# under 5 seconds.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/mkcerts.sh"

N=${BENCH_CERTS:-100}
mkdir -p "$T/store/letsencrypt"
mkcerts_ca "$T/ca" || { echo "Bail out! openssl failed"; exit 1; }
{
	printf 'version: 1\nacme:\n  directory: https://127.0.0.1:14000/dir\n'
	printf '  contact: [hostmaster@example.com]\n  terms_accepted: true\n'
	printf 'store: store\nchallenge:\n  type: http-01\n'
	printf '  http-01: {webroot: %s/webroot}\n' "$T"
	printf 'fragments:\n  dir: frag\n  reload: {nginx: [true]}\ncertificates:\n'
	i=1
	while [ $i -le "$N" ]; do
		printf '  - name: c%d\n    hostnames: [c%d.example.com, www.c%d.example.com]\n' $i $i $i
		printf '    listeners:\n'
		printf '      - {server: axigen, service: imap, address: "10.0.%d.%d:993"}\n' $((i / 250)) $((i % 250))
		printf '      - {server: dovecot, service: imap, address: "0.0.0.0:993"}\n'
		printf '      - {server: postfix, service: smtp-in, address: "0.0.0.0:25"}\n'
		printf '      - {server: nginx, service: webmail, address: "0.0.0.0:443"}\n'
		printf '      - {server: haproxy, service: webmail, address: "0.0.0.0:443"}\n'
		mkcerts_leaf "$T/ca" "$T/store/letsencrypt/c$i" ec-p256 10 90 \
		    "c$i.example.com,www.c$i.example.com" || exit 1
		i=$((i + 1))
	done
} >"$T/certkeep.yaml"

"$CERTKEEP" -m "$T/certkeep.yaml" plan 2>"$T/err" >/dev/null
if grep -q 'loader not built yet' "$T/err"; then
	skip "manifest loader not built yet"; done_testing
fi
for what in "render (first)" "render (unchanged)" "plan"; do
	cmd=${what%% *}
	/usr/bin/time -f '%e %M' -o "$T/time" "$CERTKEEP" -m "$T/certkeep.yaml" \
	    "$cmd" >"$T/out" 2>"$T/err"
	rc=$?
	read -r secs kb <"$T/time"
	echo "# $what, $N certificates x 5 servers: ${secs}s, ${kb} KB peak"
	[ "$cmd" = plan ] || is "$rc" 0 "$what: exit 0"
	[ "$what" != "render (unchanged)" ] ||
	    like "$(cat "$T/out")" "^0 fragment file" "unchanged: nothing written"
	ok "$(awk -v s="$secs" 'BEGIN { exit !(s < 5) }'; echo $?)" "$what under 5 s"
done
nfiles=$(find "$T/frag" -type f | wc -l)
echo "# fragment files: $nfiles"
ok "$([ "$nfiles" -eq $((N * 2 + 5)) ]; echo $?)" "one axigen script, dovecot, postfix, haproxy file, two nginx files per certificate"
done_testing
