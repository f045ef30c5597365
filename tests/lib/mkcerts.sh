# tests/lib/mkcerts.sh - certificates made with openssl for tests: a test
# root and intermediate, and leaf sets (cert.pem, key.pem, cert_auth.pem,
# fullchain.pem, combined.pem) with chosen key type, names and validity (faketime puts
# notBefore in the past). Sourced by shell tests; the C unit tests run it
# as `sh tests/lib/mkcerts.sh FUNCTION ARGS...`.

# mkcerts_key OUT TYPE: ec-p256 | ec-p384 | rsa-2048 | rsa-3072 | rsa-4096 |
# ed25519
mkcerts_key() {
	case "$2" in
	ec-p256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" ;;
	ec-p384) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$1" ;;
	rsa-*) openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${2#rsa-}" -out "$1" 2>/dev/null ;;
	ed25519) openssl genpkey -algorithm ED25519 -out "$1" ;;
	*) echo "mkcerts_key: unknown type $2" >&2; return 1 ;;
	esac
}

# mkcerts_ca DIR: DIR/root.{key,pem}, DIR/int.{key,pem} ("Test Int CA").
mkcerts_ca() {
	_d=$1
	mkdir -p "$_d"
	mkcerts_key "$_d/root.key" ec-p256 &&
	openssl req -x509 -new -key "$_d/root.key" -subj "/CN=Test Root CA" \
	    -days 3650 -out "$_d/root.pem" 2>/dev/null &&
	mkcerts_key "$_d/int.key" ec-p256 &&
	openssl req -new -key "$_d/int.key" -subj "/O=Test/CN=Test Int CA" \
	    -out "$_d/int.csr" 2>/dev/null &&
	printf 'basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' >"$_d/int.ext" &&
	openssl x509 -req -in "$_d/int.csr" -CA "$_d/root.pem" \
	    -CAkey "$_d/root.key" -set_serial 2 -days 3650 \
	    -extfile "$_d/int.ext" -out "$_d/int.pem" 2>/dev/null
}

# mkcerts_leaf CADIR OUTDIR KEYTYPE AGO DAYS SANS [SERIAL]
# A set whose notBefore is AGO days back ("86000s": seconds) and lifetime
# DAYS days; SANS is "a.example,b.example".
mkcerts_leaf() {
	_ca=$1 _out=$2 _kt=$3 _ago=$4 _days=$5 _sans=$6 _serial=${7:-}
	mkdir -p "$_out"
	_san=$(printf '%s' "$_sans" | sed 's/^/DNS:/; s/,/,DNS:/g')
	mkcerts_key "$_out/key.pem" "$_kt" || return 1
	openssl req -new -key "$_out/key.pem" -subj "/CN=${_sans%%,*}" \
	    -out "$_out/csr.pem" 2>/dev/null || return 1
	printf 'subjectAltName=%s\nbasicConstraints=CA:false\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' \
	    "$_san" >"$_out/leaf.ext"
	[ -n "$_serial" ] || _serial=0x$(openssl rand -hex 8)
	case "$_ago" in
	*s) _ago=${_ago%s} ;;
	*) _ago=$((_ago * 86400)) ;;
	esac
	_start=$(date -u -d "@$(( $(date +%s) - _ago ))" '+%Y-%m-%d %H:%M:%S')
	TZ=UTC faketime "$_start" openssl x509 -req -in "$_out/csr.pem" \
	    -CA "$_ca/int.pem" -CAkey "$_ca/int.key" -set_serial "$_serial" \
	    -days "$_days" -extfile "$_out/leaf.ext" -out "$_out/cert.pem" \
	    2>/dev/null || return 1
	cp "$_ca/int.pem" "$_out/cert_auth.pem"
	cat "$_out/cert.pem" "$_out/cert_auth.pem" >"$_out/fullchain.pem"
	(umask 077 && cat "$_out/key.pem" "$_out/fullchain.pem" >"$_out/combined.pem")
	chmod 600 "$_out/key.pem"
	rm -f "$_out/csr.pem" "$_out/leaf.ext"
}

# mkcerts_site: the site of a shell test: S=$T/site (manifest and store),
# L=$S/store/letsencrypt made, and a test CA in $T/ca; bails out when
# openssl fails.
mkcerts_site() {
	S=$T/site
	L=$S/store/letsencrypt
	mkdir -p "$L"
	mkcerts_ca "$T/ca" || { echo "Bail out! openssl failed"; exit 1; }
}

# mkcerts_site_leaves NAME...: a live set NAME (NAME.example.com, EC
# P-256, issued 10 days ago, 90 days) in $L for each NAME.
mkcerts_site_leaves() {
	for _n in "$@"; do
		mkcerts_leaf "$T/ca" "$L/$_n" ec-p256 10 90 "$_n.example.com" ||
		    { echo "Bail out! openssl failed"; exit 1; }
	done
}

# mkcerts_site_manifest [EXTRA [CERT_EXTRA]]: $S/certkeep.yaml (M) for
# the sets of $NAMES, an unreachable CA, a webroot; EXTRA is more
# top-level YAML, CERT_EXTRA more YAML for each certificate ("    key: v").
mkcerts_site_manifest() {
	{
		printf 'version: 1\nacme:\n  directory: https://127.0.0.1:9/dir\n'
		printf '  contact: [hostmaster@example.com]\n  terms_accepted: true\n'
		printf 'store: store\n'
		[ -z "${1:-}" ] || printf '%s\n' "$1"
		printf 'challenge: {type: http-01, http-01: {webroot: %s/www}}\n' "$T"
		printf 'certificates:\n'
		for _n in $NAMES; do
			printf '  - name: %s\n    hostnames: [%s.example.com]\n' "$_n" "$_n"
			[ -z "${2:-}" ] || printf '%s\n' "$2"
		done
	} >"$S/certkeep.yaml"
	M=$S/certkeep.yaml
}

# As a command: sh mkcerts.sh FUNCTION ARGS...
case "${0##*/}" in
mkcerts.sh) "$@" ;;
esac
