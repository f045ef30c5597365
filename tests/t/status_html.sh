#!/bin/sh
# status -o html: a self-contained page (no script, no http(s):// reference,
# nothing to fetch) that headless Chromium renders with one table row and
# one timeline row per certificate, in manifest order, a failing
# certificate marked, the renewal and ARI windows drawn, and every string
# escaped (an error text holding markup stays text). -o html is refused
# (64) by the other commands. Then 1,000 certificates: one row each.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/mkcerts.sh"

mkcerts_site
mkdir -p "$S/store/state"
leaf() {	# leaf NAME AGO_DAYS DAYS SANS
	mkcerts_leaf "$T/ca" "$S/store/letsencrypt/$1" ec-p256 "$2" "$3" "$4" ||
	    { echo "Bail out! openssl failed for $1"; exit 1; }
}
leaf web 10 90 web.example.com,www.example.com
leaf soon 80 90 soon.example.com
leaf old 100 90 old.example.com
leaf broken 20 90 broken.example.com
leaf ari 30 90 ari.example.com
day() { date -u -d "@$(( $(date +%s) + $1 * 86400 ))" '+%Y-%m-%dT%H:%M:%SZ'; }
# broken: the last renewal failed, with markup and a URL in the CA's text.
cat >"$S/store/state/broken.json" <<EOF
{"version": 1, "consecutive_failures": 3,
 "last_error": {"time": "$(day -1)", "type": "urn:ietf:params:acme:error:caa",
  "detail": "<script>alert(1)</script> & CAA forbids; see https://ca.example/caa"}}
EOF
cat >"$S/store/state/ari.json" <<EOF
{"version": 1, "ari": {"window_start": "$(day 30)", "window_end": "$(day 35)"}}
EOF
cert() {	# cert NAME HOSTNAMES
	printf '  - name: %s\n    hostnames: [%s]\n    listeners:\n      - {server: nginx, service: https, address: "[::]:443"}\n' "$1" "$2"
}
{
	cat <<EOT
version: 1
acme: {directory: "https://127.0.0.1:14000/dir", terms_accepted: true}
store: store
challenge: {http-01: {webroot: $T/www}}
certificates:
EOT
	cert web "web.example.com, www.example.com"
	cert soon soon.example.com
	cert old old.example.com
	cert broken broken.example.com
	cert ari ari.example.com
	cert new new.example.com
} >"$S/certkeep.yaml"
NAMES="web soon old broken ari new"

ck -m "$S/certkeep.yaml" -o html status
rc_is 0 "status -o html exits 0"
printf '%s\n' "$OUT" >"$T/status.html"
like "$OUT" '^<!DOCTYPE html>' "an HTML document on stdout"
unlike "$OUT" 'https?://' "no http(s):// anywhere in the page"
unlike "$OUT" '<[sS][cC][rR][iI][pP][tT]' "no <script>"
unlike "$OUT" '(src|href)=|@import|url\(' "nothing to load (no src, href, @import, url())"
like "$OUT" '&lt;script&gt;alert\(1\)&lt;/script&gt; &amp; CAA forbids' "the error text is escaped"
like "$OUT" '<style>' "inline CSS"
like "$OUT" '<svg class="timeline"' "inline SVG timeline"

# What a browser makes of it.
dom() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu \
	    --disable-background-networking --disable-component-update \
	    --disable-sync --no-first-run --user-data-dir="$T/chrome" \
	    "$@" 2>>"$T/chromium.err"
}
if dom --dump-dom "file://$T/status.html" >"$T/dom.html"; then
	pass "chromium renders the page"
else
	fail "chromium renders the page"; tail -5 "$T/chromium.err" | sed 's/^/# /'
fi
cat >"$T/rows.py" <<'EOF'
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.cell, self.svgrows, self.scripts, self.today = [], None, [], 0, 0
        self.wins = self.aris = 0
    def handle_starttag(self, tag, a):
        a = dict(a); cls = (a.get("class") or "").split()
        if tag == "tr" and "cert" in cls:
            self.rows.append([cls[1], []])
        elif tag == "td" and self.rows and self.cell is None:
            self.cell = ""
        elif tag == "g" and "row" in cls:
            self.svgrows.append(cls[1])
        elif tag == "script":
            self.scripts += 1
        elif tag == "line" and "today" in cls:
            self.today += 1
        elif tag == "rect" and "win" in cls:
            self.wins += 1
        elif tag == "rect" and "ari" in cls:
            self.aris += 1
    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.rows[-1][1].append(self.cell); self.cell = None
        if tag == "tbody":
            self.cell = None
    def handle_data(self, d):
        if self.cell is not None:
            self.cell += d
p = P(); p.feed(open(sys.argv[1]).read())
what = sys.argv[2]
if what == "names": print(" ".join(r[1][0] for r in p.rows))
elif what == "levels": print(" ".join(r[1][0] + "=" + r[0] for r in p.rows))
elif what == "svg": print(" ".join(p.svgrows))
elif what == "count": print(len(p.rows), len(p.svgrows))
elif what == "state": print([r[1][7] for r in p.rows if r[1][0] == sys.argv[3]][0])
elif what == "misc": print(p.scripts, p.today, p.wins, p.aris)
EOF
rows() { python3 "$T/rows.py" "$T/dom.html" "$@"; }
is "$(rows names)" "$NAMES" "one table row per certificate, in manifest order"
is "$(rows levels)" "web=ok soon=due old=fail broken=fail ari=ok new=due" \
    "rows marked ok / due / fail (the failed renewal and the expired one in red)"
is "$(rows svg)" "ok due fail fail ok due" "one timeline row per certificate, same marks"
like "$(rows state broken)" '<script>alert\(1\)</script> & CAA forbids' \
    "the failure's text shows as text"
is "$(rows misc)" "0 1 5 1" "no script element, one today line, 5 renewal windows (every set read), 1 ARI window"
like "$(rows state soon)" '^expiring' "a due certificate says why"

# A screenshot renders too (docs/status-page.png is made the same way).
dom --screenshot="$T/shot.png" --window-size=1300,700 "file://$T/status.html" >/dev/null
ok_if "chromium takes a screenshot of it" test -s "$T/shot.png"

# -o html is status's only.
for c in plan check render import version help; do
	ck -m "$S/certkeep.yaml" -o html $c
	rc_is 64 "$c -o html: usage error"
done
ck -m "$S/certkeep.yaml" -o xml status
rc_is 64 "-o xml: usage error"

# Many certificates: one row each (copies of one set under 1,000 names).
B=$T/big
mkdir -p "$B/store/letsencrypt"
{
	echo "version: 1"
	echo "acme: {directory: \"https://127.0.0.1:14000/dir\", terms_accepted: true}"
	echo "store: store"
	echo "challenge: {http-01: {webroot: $T/www}}"
	echo "certificates:"
	i=1
	while [ $i -le 1000 ]; do
		echo "  - {name: c$i, hostnames: [web.example.com, www.example.com]}"
		i=$((i + 1))
	done
} >"$B/certkeep.yaml"
i=1
while [ $i -le 1000 ]; do
	cp -r "$S/store/letsencrypt/web" "$B/store/letsencrypt/c$i"
	i=$((i + 1))
done
t0=$(date +%s%N)
"$CERTKEEP" -m "$B/certkeep.yaml" -o html status >"$T/big.html" 2>"$T/big.err"
rc=$?
t1=$(date +%s%N)
is "$rc" 0 "1,000 certificates: exit 0"
diag "status -o html, 1,000 certificates: $(( (t1 - t0) / 1000000 )) ms, $(wc -c <"$T/big.html") bytes"
is "$(grep -c '^<tr class="cert ok">' "$T/big.html")" 1000 "1,000 table rows"
is "$(grep -c '^<g class="row ok">' "$T/big.html")" 1000 "1,000 timeline rows"
done_testing
