#!/bin/sh
# contrib/certkeep.schema.json: a valid draft 2020-12 schema with a
# description on every property; every key the manifest loader knows
# (the field tables of src/manifest/*.c) is in it; it accepts
# manifest.example.yaml, the valid corpus tests/manifests/valid/ (which
# certkeep accepts too) and the manifests the Pebble tests write; and it
# refuses every manifest of the invalid corpus whose fault a schema can
# express. The ones it cannot are listed below by name, and the test
# checks that the schema indeed accepts them (so the list stays true):
#   05-bool-yes            YAML 1.1 loaders read "yes" as true; certkeep
#                          (and YAML 1.2) read a string
#   06-duplicate-key       the YAML loader keeps the last value
#   07-duplicate-cert-name uniqueness of one member across list items
#   08-duplicate-hostname  duplicates differing in letter case
#   34-anchor              anchors are YAML, gone after loading
#   41-http01-neither-webroot-nor-listen  the challenge merged across
#                          levels (certificate over top level)
#   76-etcd-lock-ttl       a duration's range (the schema checks its form)
#   77-etcd-plain-remote   loopback endpoints told from others inside the URL
#   79-etcd-bad-port       a port's range inside the URL
# The YAML errors (33, 35, 36) are refused by the YAML loader.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"

S=$SRC_DIR/contrib/certkeep.schema.json
# Debian's python3-yaml and python3-jsonschema (contrib/install-deps.sh).
PY=/usr/bin/python3
KNOWN="05-bool-yes 06-duplicate-key 07-duplicate-cert-name 08-duplicate-hostname 34-anchor 41-http01-neither-webroot-nor-listen 76-etcd-lock-ttl 77-etcd-plain-remote 79-etcd-bad-port"

# validate FILE...: one line per file, "NAME accepted|refused|yaml-error: why"
cat >"$T/validate.py" <<'PY'
import json, sys, os
import yaml, jsonschema
schema = json.load(open(sys.argv[1]))
v = jsonschema.Draft202012Validator(schema)
store = sys.argv[2]
for f in sys.argv[3:]:
    name = os.path.basename(f)[:-5]
    try:
        doc = yaml.safe_load(open(f, encoding="utf-8", errors="surrogateescape").read().replace("@STORE@", store))
    except yaml.YAMLError as e:
        print(name, "yaml-error:", str(e).splitlines()[0]); continue
    errs = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errs:
        print(name, "refused:", "/".join(map(str, errs[0].absolute_path)), errs[0].message[:100])
    else:
        print(name, "accepted")
PY
cat >"$T/meta.py" <<'PY'
import json, sys, re
import jsonschema
s = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(s)
print("schema ok", s["$schema"])
missing = []
names = set()
def walk(node, path):
    if isinstance(node, dict):
        for k, sub in node.get("properties", {}).items():
            names.add(k)
            if "description" not in sub and not ("$ref" in sub and "description" in
                    s["$defs"].get(sub["$ref"].split("/")[-1], {})):
                missing.append(path + "/" + k)
        for k, sub in node.items():
            if k not in ("if", "then", "else", "not"):
                walk(sub, path + "/" + k)
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            walk(sub, path)
walk(s, "")
for m in missing:
    print("no description:", m)
src = "".join(open(f).read() for f in sys.argv[2:])
for key in sorted(set(re.findall(r'\{ "([a-z0-9_-]+)", NULL, NULL \}', src))):
    if key not in names:
        print("key not in schema:", key)
PY
out=$($PY "$T/meta.py" "$S" "$SRC_DIR"/src/manifest/*.c 2>&1)
like "$out" '^schema ok https://json-schema.org/draft/2020-12/schema$' "a valid draft 2020-12 schema"
unlike "$out" 'no description' "every property has a description"
unlike "$out" 'key not in schema' "every key of src/manifest/*.c is in the schema"
like "$(grep -o '"metrics"\|"textfile"\|"concurrency"\|"retry_deadline"' "$S" | sort -u | tr '\n' ' ')" \
    '"concurrency" "metrics" "retry_deadline" "textfile"' "metrics.textfile, acme.concurrency and acme.retry_deadline"

r=$($PY "$T/validate.py" "$S" "$T/store" "$SRC_DIR/manifest.example.yaml")
is "$r" "manifest.example accepted" "manifest.example.yaml is valid"

mkdir -p "$T/valid"
n=0
for y in "$TESTS_DIR"/manifests/valid/*.yaml; do
	b=$(basename "$y" .yaml)
	sed "s|@STORE@|$T/store-$b|" "$y" >"$T/valid/$b.yaml"
	ck -m "$T/valid/$b.yaml" plan
	ok_if "$b: certkeep accepts it (plan exits $RC)" test "$RC" -ne 65 -a "$RC" -ne 64
	is "$($PY "$T/validate.py" "$S" "$T/store" "$T/valid/$b.yaml")" "$b accepted" "$b: the schema accepts it"
	n=$((n + 1))
done
ok_if "at least 3 valid manifests ($n)" test "$n" -ge 3

# The Pebble tests' manifests (write_manifest and its knobs), no CA needed.
PEBBLE_URL=https://127.0.0.1:14000/dir PEBBLE_TRUST=$T/trust.pem PEBBLE_HTTP_PORT=5002 PEBBLE_DNS_PORT=8053
write_manifest "$T/w1.yaml" 3
MF_MULTI=1 MF_CHALLENGE='{webroot: /var/www/acme}' MF_ACME_EXTRA='eab: {kid: k, hmac_key_file: eab.key}' \
    MF_TOP_EXTRA='renew_before: 10m' write_manifest "$T/w2.yaml" 2 rsa-2048
MF_TOP_EXTRA="metrics: {textfile: $T/m.prom}" MF_DNS_SERVER=omit MF_TERMS=omit write_manifest "$T/w3.yaml" 1 ec-p384
r=$($PY "$T/validate.py" "$S" "$T/store" "$T/w1.yaml" "$T/w2.yaml" "$T/w3.yaml" | tr '\n' ' ')
is "$r" "w1 accepted w2 accepted w3 accepted " "the Pebble tests' manifests are valid"

# The invalid corpus.
$PY "$T/validate.py" "$S" "$T/store" "$TESTS_DIR"/manifests/invalid/*.yaml >"$T/inv.txt"
total=$(wc -l <"$T/inv.txt")
ok_if "the invalid corpus was read ($total)" test "$total" -ge 60
while read -r name verdict rest; do
	case " $KNOWN " in
	*" $name "*)
		is "$verdict" accepted "$name: known to be beyond a schema (accepted)" ;;
	*)
		like "$verdict" '^(refused|yaml-error):$' "$name: refused ($verdict $rest)" ;;
	esac
done <"$T/inv.txt"
# The schema's own checks can fail: a copy without the port range
# accepts port 99999.
sed 's/6553\[0-5\]/[0-9]+/g' "$S" >"$T/loose.json"
sed "s|@STORE@|$T/s|" "$TESTS_DIR/manifests/invalid/21-listener-port-99999.yaml" >"$T/p.yaml"
like "$($PY "$T/validate.py" "$T/loose.json" "$T/store" "$T/p.yaml")" 'accepted' \
    "a looser schema would accept port 99999 (the check bites)"
done_testing
