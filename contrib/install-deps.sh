#!/bin/sh
# Installs the Debian packages that building, testing and the demo need.
# Idempotent and non-interactive: installs only what is missing.
set -eu

BUILD="build-essential pkg-config libyaml-dev libssl-dev libcurl4-openssl-dev libcjson-dev libldns-dev"
TEST="openssl ca-certificates curl pebble knot knot-dnsutils dovecot-imapd dovecot-pop3d postfix nginx-light haproxy python3 python3-aiosmtpd python3-cryptography faketime valgrind unbound chromium certbot uacme"
# contrib/: unit checks (systemd-analyze), alert rules (promtool), the
# textfile collector, the JSON Schema, the Debian package, the CI examples
# (jq summarises a plan).
# The etcd store backend: a real cluster in the tests.
ETCD="etcd-server etcd-client"
OPS="systemd prometheus prometheus-node-exporter python3-yaml python3-jsonschema debhelper lintian jq"
# make fuzz: clang with libFuzzer (Debian's clang package).
FUZZ="clang"

missing=""
for p in $BUILD $TEST $ETCD $OPS $FUZZ; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
echo "install-deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Postfix asks how to configure itself; the tests bring their own config.
echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
# Packages must not start system daemons (nginx on :80, dovecot on :143...):
# the tests start their own instances on loopback high ports.
policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
	$SUDO chmod 755 /usr/sbin/policy-rc.d
	policy=1
fi
trap '[ -n "$policy" ] && $SUDO rm -f /usr/sbin/policy-rc.d' EXIT
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
