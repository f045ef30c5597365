#!/bin/sh
# metrics.textfile against Pebble, read back through the real
# prometheus-node-exporter (textfile collector on a loopback port): plan
# before anything exists (not ready, no expiry), apply (expiry equal to
# the certificate's notAfter, ready, issued counted, ACME requests
# counted, last success), a plan that keeps the apply's series, a failing
# certificate (failures, last failure, last success of apply kept, last
# run marked failed), check (preflight per certificate), a removed
# certificate's rows gone; the file is 0644, no temporary is left, and
# `promtool check metrics` finds nothing to say about names and types.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"

start_pebble '{"domainBlocklist": ["blocked.example.com"]}' || { fail "start_pebble"; done_testing; }
P=$T/prom
F=$P/certkeep.prom
mkdir -p "$P"
MF_TOP_EXTRA="metrics: {textfile: $F}" write_manifest "$T/m.yaml" 2

# value SERIES-REGEX: the value of the one line of $F matching it.
value() { grep -E "^$1 " "$F" | awk '{ print $2 }'; }
# The sum of every sample of a series (all label sets).
total() { grep -E "^$1[{ ]" "$F" | awk '{ s += $2 } END { printf "%d", s }'; }
epoch() { date -d "$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2)" +%s; }

ck -m "$T/m.yaml" plan
rc_is 2 "plan: changes pending"
ok_if "plan wrote the textfile" test -f "$F"
is "$(value 'certkeep_certificate_ready\{name="c1"\}')" 0 "before apply: c1 not ready"
is "$(grep -c 'expiration_timestamp_seconds{' "$F")" 0 "before apply: no expiry"
is "$(value 'certkeep_last_run_success\{command="plan"\}')" 1 "plan succeeded (exit 2 is a success)"

t0=$(date +%s)
ck -m "$T/m.yaml" apply
rc_is 0 "apply"
na=$(epoch "$T/store/letsencrypt/c1/cert.pem")
is "$(value 'certkeep_certificate_expiration_timestamp_seconds\{name="c1"\}')" "$na" \
    "c1's expiry is the certificate's notAfter"
like "$(value 'certkeep_certificate_not_before_timestamp_seconds\{name="c2"\}')" '^[0-9]{10}$' "c2's notBefore"
like "$(value 'certkeep_certificate_renewal_timestamp_seconds\{name="c2"\}')" '^[0-9]{10}$' "c2's renewal time"
is "$(value 'certkeep_certificate_ready\{name="c1"\}')" 1 "after apply: c1 ready"
is "$(value 'certkeep_last_run_certificates\{command="apply",result="issued"\}')" 2 "two issued in the run"
is "$(value 'certkeep_certificate_results_total\{result="issued"\}')" 2 "issued counter"
req=$(total certkeep_acme_requests_total)
ok_if "ACME requests counted ($req)" test "${req:-0}" -ge 10
order=$(value 'certkeep_acme_requests_total\{endpoint="order",status_class="2xx"\}')
is "$order" 2 "two new orders answered 2xx, counted by endpoint and status class"
is "$(grep -c 'status_class="unclassified"' "$F")" 0 "no request left unclassified"
last=$(value 'certkeep_last_success_timestamp_seconds\{command="apply"\}')
ok_if "last successful apply is now ($last)" test "${last:-0}" -ge "$t0"
is "$(stat -c %a "$F")" 644 "the textfile is 0644 (node_exporter reads it)"
is "$(ls "$P")" certkeep.prom "no temporary file left beside it"

ck -m "$T/m.yaml" plan
rc_is 0 "plan after apply: nothing to do"
is "$(value 'certkeep_last_success_timestamp_seconds\{command="apply"\}')" "$last" \
    "plan keeps the apply's last success"
is "$(total certkeep_acme_requests_total)" "$req" \
    "plan sends no request and the counter stays"

# A certificate the CA refuses: the run fails, apply's last success stays.
MF_TOP_EXTRA="metrics: {textfile: $F}" MF_HOSTS_3=blocked.example.com write_manifest "$T/m.yaml" 3
sleep 1
ck -m "$T/m.yaml" apply --skip-checks
rc_is 1 "apply with a refused certificate fails"
is "$(value 'certkeep_last_run_success\{command="apply"\}')" 0 "the run is marked failed"
is "$(value 'certkeep_last_success_timestamp_seconds\{command="apply"\}')" "$last" \
    "the last success is kept"
is "$(value 'certkeep_certificate_consecutive_failures\{name="c3"\}')" 1 "c3: one failure"
like "$(value 'certkeep_certificate_last_failure_timestamp_seconds\{name="c3"\}')" '^[0-9]{10}$' "c3: last failure time"
is "$(value 'certkeep_certificate_ready\{name="c3"\}')" 0 "c3 not ready"
is "$(value 'certkeep_certificate_results_total\{result="failed"\}')" 1 "failed counter"
is "$(value 'certkeep_certificate_results_total\{result="issued"\}')" 2 "issued counter kept"

ck -m "$T/m.yaml" check c1
rc_is 0 "check c1"
is "$(value 'certkeep_certificate_preflight_passing\{name="c1"\}')" 1 "c1's preflight passes"
is "$(grep -c 'preflight_passing{name="c2"' "$F")" 0 "c2 was not checked"
is "$(value 'certkeep_certificate_consecutive_failures\{name="c3"\}')" 1 "check keeps the plan rows"

# c3 leaves the manifest: its rows go.
MF_TOP_EXTRA="metrics: {textfile: $F}" write_manifest "$T/m.yaml" 2
ck -m "$T/m.yaml" plan
is "$(grep -c 'name="c3"' "$F")" 0 "rows of a removed certificate dropped"

lint=$(promtool check metrics <"$F" 2>&1)
is "$?" 0 "promtool check metrics: exit 0" || diag "$lint"
is "$lint" "" "promtool check metrics: no lint" || diag "$lint"

# The real node_exporter serves the series.
port=$(free_port)
prometheus-node-exporter --collector.disable-defaults --collector.textfile \
    --collector.textfile.directory="$P" --web.listen-address="127.0.0.1:$port" \
    >"$T/ne.log" 2>&1 &
track_pid $!
if wait_port "$port" 20; then
	m=$(curl -sf "http://127.0.0.1:$port/metrics")
	got=$(printf '%s\n' "$m" | awk '$1 == "certkeep_certificate_expiration_timestamp_seconds{name=\"c1\"}" { printf "%d", $2 }')
	is "$got" "$na" "node_exporter serves c1's expiry"
	like "$m" '^certkeep_last_success_timestamp_seconds\{command="apply"\}' "node_exporter serves the last success"
	like "$m" '^certkeep_acme_requests_total\{endpoint="order",status_class="2xx"\}' "node_exporter serves the request counter"
	like "$m" '^# TYPE certkeep_acme_requests_total counter' "as a counter"
	like "$m" '^node_textfile_scrape_error 0' "node_exporter read the file without error"
else
	fail "node_exporter listens"; sed 's/^/#   /' "$T/ne.log" | tail -5
fi
done_testing
