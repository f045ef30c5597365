#!/bin/sh
# plan and status over a repository of 100 certificates (made with
# openssl): wall time and peak memory of each, text and JSON. A run with
# nothing due must be fast (run often): each must finish under 5 seconds.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/mkcerts.sh"
. "$TESTS_DIR/lib/bench.sh"

bench_imap_repo
for cmd in "plan" "status" "-o json plan" "-o json status"; do
	# shellcheck disable=SC2086
	bench_run -m "$T/certkeep.yaml" $cmd
	bench_report "$cmd"
	is "$rc" 0 "$cmd: exit 0 (nothing due)"
	under_5s "$secs" "$cmd under 5 s"
done
done_testing
