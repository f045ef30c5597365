#!/bin/sh
# contrib/bash-completion/certkeep in bash, through compgen/COMP_WORDS as
# bash calls it: commands, global options and their values, each
# command's options (the same as `certkeep help` lists, so the two cannot
# drift apart), revoke reasons, account subcommands, files after -m, and
# certificate names from the manifest (-m FILE, else $CERTKEEP_MANIFEST,
# else ./certkeep.yaml; block and flow style, quoted names, a tsig_name
# that is not a certificate).
. "$(dirname "$0")/../lib.sh"

C=$SRC_DIR/contrib/bash-completion/certkeep
command -v bash >/dev/null || { fail "bash installed"; done_testing; }

# comp [ENV=VALUE...] -- WORD...: the completions bash offers for the
# last WORD (may be ""), sorted, on one line; run in $T/cwd.
comp() {
	_env=""
	while [ "$1" != -- ]; do _env="$_env $1"; shift; done
	shift
	# shellcheck disable=SC2086
	(cd "$T/cwd" && env $_env bash -c '
		. "$0"
		COMP_WORDS=("$@")
		COMP_CWORD=$(( $# - 1 ))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_certkeep
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " " | sed "s/ $//"
	' "$C" "$@")
}

mkdir -p "$T/cwd" "$T/other"
cat >"$T/m.yaml" <<'Y'
version: 1
challenge:
  dns-01: {rfc2136: {server: ns1.example.com, tsig_name: notacert., tsig_secret_file: k}}
certificates:
  - name: mail.example.com
    hostnames: [mail.example.com]
  - hostnames: [web.example.com]
    name: "web-1"
  - {name: flow_2, hostnames: [f.example.com]}
  - name: 'quoted.3'   # a comment
    hostnames: [q.example.com]
Y
printf 'version: 1\ncertificates:\n  - name: here\n    hostnames: [h.example.com]\n' >"$T/cwd/certkeep.yaml"
printf 'version: 1\ncertificates:\n  - name: fromenv\n    hostnames: [e.example.com]\n' >"$T/env.yaml"

all="flow_2 mail.example.com quoted.3 web-1"
is "$(comp -- certkeep '')" "account apply backup check help import plan render restore revoke serve-http01 status store version" "commands"
is "$(comp -- certkeep pl)" "plan" "a command prefix"
is "$(comp -- certkeep -)" "--log-format -m -o -q -v" "global options"
is "$(comp -- certkeep -o '')" "html json text" "-o values"
is "$(comp -- certkeep import '')" "axigen certbot" "import: the sources"
mkdir -p "$T/le/live"
is "$(comp -- certkeep import certbot "$T/l")" "$T/le" "import: a directory"
is "$(comp -- certkeep --log-format j)" "json" "--log-format values"
touch "$T/cwd/mine.yaml"
is "$(comp -- certkeep -m mi)" "mine.yaml" "-m completes files"
is "$(comp -- certkeep -m "$T/m.yaml" plan '')" "$all" "plan: names from -m FILE"
is "$(comp -- certkeep -v -m "$T/m.yaml" -o json apply m)" "mail.example.com" "apply: a name prefix, options before the command"
is "$(comp -- certkeep -m "$T/m.yaml" status '')" "$all" "status: names"
is "$(comp -- certkeep -m "$T/m.yaml" check c1 '')" "$all" "check: names after a name"
unlike "$(comp -- certkeep -m "$T/m.yaml" plan '')" 'notacert' "tsig_name is not a certificate"
is "$(comp CERTKEEP_MANIFEST="$T/env.yaml" -- certkeep plan '')" "fromenv" "names from \$CERTKEEP_MANIFEST"
is "$(comp -- certkeep plan '')" "here" "names from ./certkeep.yaml"
is "$(comp CERTKEEP_MANIFEST="$T/env.yaml" -- certkeep -m "$T/m.yaml" revoke w)" "web-1" "-m wins over \$CERTKEEP_MANIFEST"
is "$(comp -- certkeep -m "$T/none.yaml" plan '')" "" "no manifest: no names, no error"
is "$(comp -- certkeep revoke mail --reason key)" "keyCompromise" "revoke reasons"
is "$(comp -- certkeep serve-http01 --l)" "--listen" "serve-http01: --listen"
is "$(comp -- certkeep serve-http01 --listen '')" "" "serve-http01: no guess at an address"
is "$(comp -- certkeep account '')" "deactivate register rollover show update" "account subcommands"
is "$(comp -- certkeep help a)" "account apply" "help: commands"
is "$(comp -- certkeep apply --next-run '')" "" "--next-run takes a duration (nothing offered)"

# Every command and option certkeep's help lists is completed.
help=$("$CERTKEEP" help 2>&1)
cmds=$(printf '%s\n' "$help" | sed -n 's/^  \([a-z][a-z0-9-]*\) .*/\1/p; s/^  \([a-z][a-z0-9-]*\)$/\1/p' | sort | tr '\n' ' ' | sed 's/ $//')
is "$(comp -- certkeep '')" "$cmds" "the commands are the ones certkeep help lists"
for c in $cmds; do
	want=$("$CERTKEEP" help "$c" 2>&1 | head -1 | grep -o -- '--[a-z-]*' | sort -u | tr '\n' ' ' | sed 's/ $//')
	[ -n "$want" ] || continue
	is "$(comp -- certkeep "$c" --)" "$want" "$c: the options of certkeep help $c"
done
done_testing
