#!/bin/sh
# contrib/ci: github-actions.yml and gitlab-ci.yml parse (python3-yaml),
# run check and plan on pull/merge requests and apply only from main, and
# the commands they run do what they say against Pebble, run as the CI
# would (each step's script through bash, in a checkout holding
# certkeep.yaml, certkeep on PATH): a plan with changes (exit 2) passes
# and summarises them, apply issues, a plan with nothing to do says so,
# a new certificate is the only change, an invalid manifest fails the
# plan job.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"

D=$SRC_DIR/contrib/ci
PY=/usr/bin/python3

# steps FILE github|gitlab JOB OUTDIR: writes the job's scripts as
# OUTDIR/N.sh (GitHub: one per `run` step; GitLab: the script lines)
# and prints the workflow's variables as NAME=VALUE lines.
cat >"$T/steps.py" <<'PY'
import sys, os, yaml
f, kind, job, out = sys.argv[1:5]
doc = yaml.safe_load(open(f))
os.makedirs(out, exist_ok=True)
if kind == "github":
    env = doc.get("env", {})
    steps = [s["run"] for s in doc["jobs"][job]["steps"] if "run" in s]
else:
    env = doc.get("variables", {})
    steps = ["\n".join(doc[job]["script"])]
for i, s in enumerate(steps):
    open(os.path.join(out, "%d.sh" % i), "w").write(s + "\n")
for k, v in env.items():
    print("%s=%s" % (k, v))
PY
# cond FILE EXPR: a value from the parsed file (Python expression on doc).
cond() { $PY -c "import yaml,sys; doc=yaml.safe_load(open(sys.argv[1])); print($2)" "$1"; }

gh=$D/github-actions.yml
gl=$D/gitlab-ci.yml
is "$(cond "$gh" '"ok" if doc else ""')" ok "github-actions.yml parses"
is "$(cond "$gl" '"ok" if doc else ""')" ok "gitlab-ci.yml parses"
# PyYAML reads the key "on" as true (YAML 1.1).
like "$(cond "$gh" 'sorted((doc.get("on") or doc.get(True)).keys())')" "'pull_request'.*'push'" "GitHub: on pull requests and pushes"
is "$(cond "$gh" '(doc.get("on") or doc.get(True))["push"]["branches"]')" "['main']" "GitHub: pushes to main"
like "$(cond "$gh" 'doc["jobs"]["plan"]["if"]')" "pull_request" "GitHub: plan on pull requests"
like "$(cond "$gh" 'doc["jobs"]["apply"]["if"]')" "refs/heads/main" "GitHub: apply from main"
like "$(cond "$gl" 'doc["certkeep-plan"]["rules"][0]["if"]')" 'merge_request_event' "GitLab: plan on merge requests"
like "$(cond "$gl" 'doc["certkeep-apply"]["rules"][0]["if"]')" 'CI_DEFAULT_BRANCH' "GitLab: apply from the default branch"
is "$(cond "$gl" 'all(isinstance(x, str) for j in doc.values() if isinstance(j, dict) and "script" in j for x in j["script"])')" True \
    "GitLab: every script line is a string (a ': ' did not make it a mapping)"
is "$(cond "$gh" 'all(isinstance(s.get("run", ""), str) for j in doc["jobs"].values() for s in j["steps"])')" True \
    "GitHub: every run is a string"
for f in "$gh" "$gl"; do
	like "$(cat "$f")" 'certkeep check' "$(basename "$f"): certkeep check"
	like "$(cat "$f")" 'certkeep -o json plan' "$(basename "$f"): certkeep -o json plan"
	like "$(cat "$f")" 'certkeep apply' "$(basename "$f"): certkeep apply"
done

start_pebble || { fail "start_pebble"; done_testing; }
R=$T/repo
mkdir -p "$R" "$T/bin"
ln -s "$CERTKEEP" "$T/bin/certkeep"
write_manifest "$R/certkeep.yaml" 2

# job FILE KIND JOB: runs the job's scripts in $R as the CI would; sets
# JOB_RC (the first failing step's status, else 0) and JOB_OUT.
job() {
	rm -rf "$T/steps"
	vars=$($PY "$T/steps.py" "$1" "$2" "$3" "$T/steps")
	: >"$T/summary"
	JOB_RC=0
	JOB_OUT=""
	for s in "$T/steps"/*.sh; do
		o=$(cd "$R" && env $vars PATH="$T/bin:$PATH" GITHUB_STEP_SUMMARY="$T/summary" \
		    bash --noprofile --norc -eo pipefail "$s" 2>&1)
		r=$?
		JOB_OUT="$JOB_OUT$o
"
		if [ $r -ne 0 ]; then JOB_RC=$r; break; fi
	done
	JOB_OUT="$JOB_OUT$(cat "$T/summary")"
}

job "$gh" github plan
is "$JOB_RC" 0 "GitHub plan job passes with changes pending" || diag "$JOB_OUT"
like "$(cat "$T/summary")" '^### certkeep: changes pending' "GitHub: summary says changes are pending"
like "$(cat "$T/summary")" '^- c1: issue \(no certificate in the repository\)$' "GitHub: summary names c1"
like "$(cat "$T/summary")" '^- c2: issue' "GitHub: summary names c2"
ok_if "plan.json is JSON" $PY -c "import json,sys; json.load(open(sys.argv[1]))" "$R/plan.json"
job "$gl" gitlab certkeep-check
is "$JOB_RC" 0 "GitLab check job passes" || diag "$JOB_OUT"
job "$gl" gitlab certkeep-plan
is "$JOB_RC" 0 "GitLab plan job passes with changes pending" || diag "$JOB_OUT"
like "$JOB_OUT" '^- c2: issue' "GitLab: log names c2"
ok_if "nothing issued by the plans" test ! -e "$T/store/letsencrypt/c1"

job "$gh" github apply
is "$JOB_RC" 0 "GitHub apply job" || diag "$JOB_OUT"
ok_if "apply issued c1" test -f "$T/store/letsencrypt/c1/cert.pem"
job "$gh" github plan
is "$JOB_RC" 0 "GitHub plan job, nothing to do"
is "$(cat "$T/summary")" "certkeep: nothing to do" "GitHub: summary says nothing to do"

write_manifest "$R/certkeep.yaml" 3
job "$gl" gitlab certkeep-plan
is "$JOB_RC" 0 "GitLab plan job, one new certificate"
like "$JOB_OUT" '^- c3: issue' "GitLab: c3 pending"
unlike "$JOB_OUT" '^- c[12]:' "GitLab: c1 and c2 not pending"
job "$gl" gitlab certkeep-apply
is "$JOB_RC" 0 "GitLab apply job" || diag "$JOB_OUT"
ok_if "apply issued c3" test -f "$T/store/letsencrypt/c3/cert.pem"

printf 'version: 1\ncertificates: []\n' >"$R/certkeep.yaml"
job "$gh" github plan
is "$JOB_RC" 65 "an invalid manifest fails the GitHub plan job (65)"
job "$gl" gitlab certkeep-plan
is "$JOB_RC" 65 "an invalid manifest fails the GitLab plan job (65)"
done_testing
