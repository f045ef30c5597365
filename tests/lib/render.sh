# tests/lib/render.sh - helpers for the fragment tests: certificate sets
# made with openssl, and the real servers (Dovecot, Postfix, nginx) started
# on loopback ports as test instances under $T, stopped by PID.
# Source after tests/lib.sh. The test CA is mkcerts_ca's (root.pem and an
# intermediate).
. "$TESTS_DIR/lib/mkcerts.sh"

# mkset CADIR STORE NAME HOST...: writes a certificate set for HOSTs,
# issued by the intermediate of CADIR (mkcerts_ca), into
# STORE/letsencrypt/NAME the way the store lays a live set out (cert.pem,
# cert_auth.pem, key.pem 0600, fullchain.pem, combined.pem 0600). A new
# call makes a new key and serial (a "renewal").
mkset() {
	_ca=$1 _st=$2 _n=$3; shift 3
	_d="$_st/letsencrypt/$_n"
	mkdir -p "$_d"; chmod 700 "$_st" "$_st/letsencrypt" "$_d"
	_san=""
	for _h in "$@"; do _san="$_san${_san:+,}DNS:$_h"; done
	printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$_san" >"$_ca/leaf.ext"
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$_d/key.pem.new" -out "$_ca/leaf.csr" -subj "/CN=$1" \
	    2>/dev/null || return 1
	openssl x509 -req -in "$_ca/leaf.csr" -CA "$_ca/int.pem" \
	    -CAkey "$_ca/int.key" -set_serial "0x$(openssl rand -hex 8)" \
	    -out "$_d/cert.pem" -days 20 -extfile "$_ca/leaf.ext" \
	    2>/dev/null || return 1
	mv "$_d/key.pem.new" "$_d/key.pem"
	cp "$_ca/int.pem" "$_d/cert_auth.pem"
	cat "$_d/cert.pem" "$_d/cert_auth.pem" >"$_d/fullchain.pem"
	cat "$_d/key.pem" "$_d/fullchain.pem" >"$_d/combined.pem"
	chmod 600 "$_d/key.pem" "$_d/combined.pem"
}

# render_sets: the two certificate sets the fragment tests share, from a
# throwaway CA in $T/ca (mkcerts_ca), in $T/store/letsencrypt: mail.example.com
# (also imap.example.com) and mx.example.org (also *.example.org, which
# needs dns-01: $T/tsig.key is the TSIG secret file render_manifest names;
# never used, nothing is issued). Fails when openssl does.
render_sets() {
	mkcerts_ca "$T/ca" || return 1
	echo c2VjcmV0 >"$T/tsig.key"
	mkset "$T/ca" "$T/store" mail.example.com mail.example.com imap.example.com &&
	    mkset "$T/ca" "$T/store" mx.example.org mx.example.org '*.example.org'
}

# render_manifest FRAGMENTS IMAP POP3 SMTP HTTPS HTTP HAPROXY [MAIL-FIRST]
#     [MX-LAST]: prints a manifest for the two sets of render_sets (never
# issued: the directory is not contacted) with the fragments: section
# FRAGMENTS (YAML lines), the listeners on 127.0.0.1: mail.example.com on
# Dovecot IMAPS, Postfix SMTP, nginx https, the nginx port-80 style
# redirect (service http) and HAProxy (service webmail: the alias of https); mx.example.org on Dovecot POP3S, Postfix and
# HAProxy. MAIL-FIRST: more listener lines before mail.example.com's;
# MX-LAST: more after mx.example.org's.
render_manifest() {
	cat <<YAML
version: 1
acme:
  directory: https://127.0.0.1:14000/dir
  terms_accepted: true
store: $T/store
challenge:
  type: http-01
  http-01: {webroot: $T/www}
$1
certificates:
  - name: mail.example.com
    hostnames: [mail.example.com, imap.example.com]
    listeners:
YAML
	[ -z "${8:-}" ] || printf '%s\n' "$8"
	cat <<YAML
      - {server: dovecot, service: imap, address: "127.0.0.1:$2"}
      - {server: postfix, service: smtp-in, address: "127.0.0.1:$4"}
      - {server: nginx, service: https, address: "127.0.0.1:$5"}
      - {server: nginx, service: http, address: "127.0.0.1:$6"}
      - {server: haproxy, service: webmail, address: "127.0.0.1:$7"}
  - name: mx.example.org
    hostnames: [mx.example.org, "*.example.org"]
    challenge: {type: dns-01, dns-01: {rfc2136: {server: "127.0.0.1:53", tsig_name: certkeep., tsig_secret_file: $T/tsig.key}}}
    listeners:
      - {server: dovecot, service: pop3, address: "127.0.0.1:$3"}
      - {server: postfix, service: smtp-in, address: "127.0.0.1:$4"}
      - {server: haproxy, service: webmail, address: "127.0.0.1:$7"}
YAML
	[ -z "${9:-}" ] || printf '%s\n' "$9"
}

# haproxy_cfg FILE PORT CRT-LIST: an HAProxy config that serves TLS on
# 127.0.0.1:PORT with the certificates of CRT-LIST (the fragment).
haproxy_cfg() {
	cat >"$1" <<HCFG
global
    log stderr local0
defaults
    mode http
    timeout connect 5s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:$2 ssl crt-list $3
    http-request return status 200
HCFG
}

# serial_of PEM: the certificate's serial (hex, as openssl prints it).
serial_of() {
	openssl x509 -noout -serial -in "$1" | sed 's/^serial=//'
}

# served_serial PORT NAME CAFILE [STARTTLS-PROTO]: connects with SNI NAME,
# verifies chain and hostname against CAFILE, prints the leaf's serial.
# Fails (no output) when verification fails.
served_serial() {
	_st=""
	[ -n "${4:-}" ] && _st="-starttls $4"
	# shellcheck disable=SC2086
	echo QUIT | timeout 10 openssl s_client -connect "127.0.0.1:$1" \
	    -servername "$2" -verify_return_error -verify_hostname "$2" \
	    -CAfile "$3" $_st 2>"$T/.sclient.err" >"$T/.sclient.out" || return 1
	sed -n '/BEGIN CERTIFICATE/,/END CERTIFICATE/p' "$T/.sclient.out" |
	    openssl x509 -noout -serial | sed 's/^serial=//'
}

# dovecot_conf DIR IMAPS_PORT POP3S_PORT FRAGMENT: a Dovecot 2.3 test
# instance: its own base_dir, state and log under DIR, loopback only.
# Runs as root with Debian's dovecot/dovenull users for its helpers.
dovecot_conf() {
	mkdir -p "$1/run" "$1/state" "$1/mail" "$1/home"
	cat >"$1/dovecot.conf" <<DCONF
base_dir = $1/run
state_dir = $1/state
log_path = $1/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
ssl_dh = </usr/share/dovecot/dh.pem
mail_location = maildir:$1/mail
passdb {
  driver = static
  args = password=test
}
userdb {
  driver = static
  args = uid=root gid=root home=$1/home
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = $2
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
  inet_listener pop3s {
    port = $3
    ssl = yes
  }
}
!include $4
DCONF
}

# dovecot_start DIR IMAPS_PORT: starts it in the foreground (tracked).
dovecot_start() {
	dovecot -c "$1/dovecot.conf" -F >"$1/stdout" 2>&1 &
	track_pid $!
	wait_port "$2" 20
}

# postfix_conf DIR SMTP_PORT TLS_POSTCONF: a Postfix test instance with its
# own config, queue and data directories under DIR, smtpd on a loopback
# port, the fragment applied with postconf -e as docs/fragments.md says.
postfix_conf() {
	mkdir -p "$1/conf" "$1/queue" "$1/data"
	chown postfix "$1/data"
	# smtpd runs as postfix and must reach its queue directory.
	chmod 711 "$T" "$1"
	cat >"$1/conf/main.cf" <<PCONF
compatibility_level = 3.6
queue_directory = $1/queue
data_directory = $1/data
myhostname = mail.example.com
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
maillog_file_prefixes = $1
maillog_file = $1/maillog
PCONF
	sed "s/^SMTPD/127.0.0.1:$2/" >"$1/conf/master.cf" <<'MCONF'
SMTPD     inet  n       -       n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
MCONF
	postfix_apply "$1" "$3"
}

# postfix_apply DIR TLS_POSTCONF: the line of docs/fragments.md, on DIR/conf.
postfix_apply() {
	grep -v '^#' "$2" | xargs -d '\n' postconf -c "$1/conf" -e
}

# postfix_start DIR SMTP_PORT: starts the master; tracks its PID.
postfix_start() {
	postfix -c "$1/conf" start >"$1/start.log" 2>&1 || return 1
	_i=0
	while [ ! -s "$1/queue/pid/master.pid" ] && [ $_i -lt 50 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	track_pid "$(tr -d ' ' <"$1/queue/pid/master.pid")"
	wait_port "$2" 20
}

# nginx_conf DIR INCLUDE-GLOB: a main config with pid, logs and temp paths
# under DIR that includes the fragments in http {}.
nginx_conf() {
	mkdir -p "$1/tmp"
	cat >"$1/nginx.conf" <<NCONF
pid $1/nginx.pid;
error_log $1/error.log;
daemon off;
events {}
http {
    access_log off;
    client_body_temp_path $1/tmp;
    proxy_temp_path $1/tmp;
    fastcgi_temp_path $1/tmp;
    uwsgi_temp_path $1/tmp;
    scgi_temp_path $1/tmp;
    include $2;
}
NCONF
}

# nginx_start DIR PORT: starts it in the foreground (tracked).
nginx_start() {
	nginx -e "$1/error.log" -p "$1" -c "$1/nginx.conf" >"$1/stdout" 2>&1 &
	track_pid $!
	wait_port "$2" 20
}
