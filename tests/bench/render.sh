#!/bin/sh
# render over 100 certificates with listeners on every server (Axigen,
# Dovecot, Postfix, nginx, HAProxy; made with openssl): wall time and peak
# memory of the first render (every file written), of an unchanged render
# (nothing written, no hook) and of plan's fragment check; each must stay
# under 5 seconds.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/mkcerts.sh"
. "$TESTS_DIR/lib/bench.sh"

N=${BENCH_CERTS:-100}
every_server() {
	printf '      - {server: axigen, service: imap, address: "10.0.%d.%d:993"}\n' $(($1 / 250)) $(($1 % 250))
	printf '      - {server: dovecot, service: imap, address: "0.0.0.0:993"}\n'
	printf '      - {server: postfix, service: smtp-in, address: "0.0.0.0:25"}\n'
	printf '      - {server: nginx, service: webmail, address: "0.0.0.0:443"}\n'
	printf '      - {server: haproxy, service: webmail, address: "0.0.0.0:443"}\n'
}
bench_repo "$N" every_server 'fragments:
  dir: frag
  reload: {nginx: [true]}'
for what in "render (first)" "render (unchanged)" "plan"; do
	cmd=${what%% *}
	bench_run -m "$T/certkeep.yaml" "$cmd"
	echo "# $what, $N certificates x 5 servers: ${secs}s, ${kb} KB peak"
	[ "$cmd" = plan ] || is "$rc" 0 "$what: exit 0"
	[ "$what" != "render (unchanged)" ] ||
	    like "$(cat "$T/out")" "^0 fragment file" "unchanged: nothing written"
	under_5s "$secs" "$what under 5 s"
done
nfiles=$(find "$T/frag" -type f | wc -l)
echo "# fragment files: $nfiles"
ok_if "one axigen script, dovecot, postfix, haproxy file, two nginx files per certificate" \
    test "$nfiles" -eq $((N * 2 + 5))
done_testing
