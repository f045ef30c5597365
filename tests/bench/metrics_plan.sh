#!/bin/sh
# What metrics.textfile costs a plan over a repository of 100
# certificates (made with openssl, nothing due): wall and CPU time of
# plan without and with metrics (which reads every set again after the
# plan, so the file shows the repository as the run left it), and the
# size of the file.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/mkcerts.sh"
. "$TESTS_DIR/lib/bench.sh"

bench_imap_repo
bench_run -m "$T/certkeep.yaml" plan
bench_report "plan without metrics"
is "$rc" 0 "plan without metrics: exit 0"
printf 'metrics: {textfile: %s/certkeep.prom}\n' "$T" >>"$T/certkeep.yaml"
bench_run -m "$T/certkeep.yaml" plan
bench_report "plan with metrics"
is "$rc" 0 "plan with metrics: exit 0"
under_5s "$secs" "plan with metrics under 5 s"
is "$(grep -c '^certkeep_certificate_ready{' "$T/certkeep.prom")" "$N" "a ready row per certificate"
echo "# textfile: $(wc -c <"$T/certkeep.prom") bytes, $(grep -vc '^#' "$T/certkeep.prom") samples"
done_testing
