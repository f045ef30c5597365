#!/bin/sh
# contrib/prometheus: `promtool check rules` accepts certkeep-alerts.yml,
# `promtool test rules` passes its unit tests (certkeep-alerts.test.yml),
# and every certkeep_* series the rules use is one certkeep writes
# (src/cli/metrics.c), so a renamed metric cannot leave a silent alert. A
# rule file with a broken expression is refused (the check can fail).
. "$(dirname "$0")/../lib.sh"

D=$SRC_DIR/contrib/prometheus
command -v promtool >/dev/null || { fail "promtool installed"; done_testing; }

out=$(promtool check rules "$D/certkeep-alerts.yml" 2>&1)
is "$?" 0 "promtool check rules" || diag "$out"
like "$out" 'SUCCESS: 5 rules found' "five rules"
out=$(cd "$D" && promtool test rules certkeep-alerts.test.yml 2>&1)
is "$?" 0 "promtool test rules" || printf '%s\n' "$out" | sed 's/^/#   /' | head -40

for a in CertkeepCertificateExpiresSoon CertkeepCertificateRenewalOverdue \
    CertkeepCertificateFailing CertkeepNoSuccessfulRun CertkeepNeverSucceeded; do
	like "$(grep -A3 "alert: $a\$" "$D/certkeep-alerts.test.yml" "$D/certkeep-alerts.yml")" "$a" "rule $a exists"
	like "$(grep "alertname: $a\$" "$D/certkeep-alerts.test.yml")" "$a" "rule $a has a unit test"
done

names=$(grep -o 'certkeep_[a-z_]*' "$D/certkeep-alerts.yml" | sort -u)
for n in $names; do
	like "$(grep -o "\"$n\"" "$SRC_DIR/src/cli/metrics.c")" "$n" "$n is written by certkeep"
done

sed 's/> 86400)/> )/' "$D/certkeep-alerts.yml" >"$T/broken.yml"
promtool check rules "$T/broken.yml" >/dev/null 2>&1
ok_if "a broken expression is refused" test $? -ne 0
done_testing
