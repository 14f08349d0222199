#!/usr/bin/env bash
# Mozilla HTTP Observatory grade of the site under production settings, offline.
#
#   bench/observatory.sh [PATH ...]      (as root: it binds 127.0.0.1:80 and :443)
#
# A throwaway CA signs a certificate for localhost; the production stack serves the site
# with DJANGO_DEBUG=0: nginx (deploy/nginx.conf.template, rendered by manage.py nginx_config)
# terminates TLS on 127.0.0.1:443 and answers plain HTTP on 127.0.0.1:80 with a 301 to
# https://localhost/..., in front of gunicorn on a free loopback port.
# @mdn/mdn-http-observatory then scans "localhost" exactly as its CLI does, and the
# script prints the grade, the score and every test. Each PATH (default:
# /members/?dimension=economic) is scanned the same way through the scanner's own
# modules, because its CLI takes a host name only. Only loopback is touched; every
# step has a time limit; gunicorn and the temporary files go away on exit.
#
# Environment:
#   OBSERVATORY_SCANNER_DIR  where npm installs the scanner (default ~/.cache/cica-observatory/...)
#   OBSERVATORY_MAX_SECONDS  hard limit for the whole run (default 600)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY="$ROOT/.venv/bin/python"
GUNICORN="$ROOT/.venv/bin/gunicorn"
SCANNER_VERSION=1.4.8
SCANNER_DIR=${OBSERVATORY_SCANNER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cica-observatory/mdn-http-observatory-$SCANNER_VERSION}
PKG="$SCANNER_DIR/node_modules/@mdn/mdn-http-observatory"
SCAN_BIN="$SCANNER_DIR/node_modules/.bin/mdn-http-observatory-scan"
MAX_SECONDS=${OBSERVATORY_MAX_SECONDS:-600}
HOST=localhost
if (($# > 0)); then EXTRA_PATHS=("$@"); else EXTRA_PATHS=("/members/?dimension=economic"); fi

die() { echo "observatory: $*" >&2; exit 1; }

[[ -x "$PY" && -x "$GUNICORN" ]] || die "no venv with gunicorn at $ROOT/.venv (make install)"
for tool in openssl node npm curl ss timeout; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done
[[ $(getent hosts "$HOST" | awk '{print $1; exit}') =~ ^(127\.|::1$) ]] || die "$HOST does not resolve to loopback"
if [[ -n $(ss -Hltn '( sport = :80 or sport = :443 )') ]]; then
    ss -ltnp '( sport = :80 or sport = :443 )' >&2
    die "port 80 or 443 is already taken (above); stop that server first"
fi
((EUID == 0)) || die "binding ports 80 and 443 needs root"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/cica-observatory.XXXXXX")
PIDS=()
WATCHDOG=
cleanup() {
    local status=$? pid
    set +e  # clean up as far as possible, whatever fails
    trap - EXIT INT TERM
    [[ -n $WATCHDOG ]] && kill "$WATCHDOG" 2>/dev/null
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in {1..100}; do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if ((status != 0)) && [[ -s $TMP/gunicorn.log ]]; then
        echo "--- last lines of gunicorn.log ---" >&2
        tail -n 30 "$TMP/gunicorn.log" >&2
    fi
    rm -rf "$TMP"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# Hard limit for the whole run: the watchdog sends SIGTERM, the trap cleans up.
watchdog() {
    local sleeper
    sleep "$MAX_SECONDS" &
    sleeper=$!
    trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
    wait "$sleeper" || return 0
    echo "observatory: time limit of ${MAX_SECONDS}s reached, stopping" >&2
    kill -TERM $$
}
watchdog &
WATCHDOG=$!

# 1. Throwaway CA and a certificate for localhost (valid 2 days).
step() { printf '== %s\n' "$*"; }
step "throwaway CA and certificate for $HOST in $TMP"
(
    cd "$TMP"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
        -subj "/CN=CICA throwaway observatory CA" -keyout ca.key -out ca.pem \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -subj "/CN=$HOST" -keyout server.key -out server.csr
    printf '%s\n' "subjectAltName=DNS:$HOST,IP:127.0.0.1" "basicConstraints=critical,CA:FALSE" \
        "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
        -extfile server.ext -out server.pem
    openssl verify -CAfile ca.pem -verify_hostname "$HOST" server.pem
) >"$TMP/openssl.log" 2>&1 || { cat "$TMP/openssl.log" >&2; die "openssl failed"; }
chmod 600 "$TMP/ca.key" "$TMP/server.key"

# 2. A production-settings site: nothing inherited from the caller's environment.
step "production site (DJANGO_DEBUG=0, sqlite in the temp dir): migrate, load_cica, collectstatic"
# nginx's workers run as nobody (manage.py nginx_config): they must reach the static files in here.
chmod 711 "$TMP"
PROD_ENV=(
    PATH="$PATH" HOME="$HOME" LANG=C.UTF-8
    DJANGO_DEBUG=0
    SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(64))')"
    ALLOWED_HOSTS="localhost,127.0.0.1"
    SITE_URL="https://$HOST"
    DATABASE_URL="sqlite:///$TMP/db.sqlite3"
    STATIC_ROOT="$TMP/static"
    MEDIA_ROOT="$TMP/media"
    REQUEST_LOG_LEVEL=WARNING
    TRUSTED_PROXIES=127.0.0.1
)
mkdir -p "$TMP/media"
for args in "migrate --noinput" "load_cica" "collectstatic --noinput"; do
    # shellcheck disable=SC2086  # word splitting of the command line is intended
    (cd "$ROOT" && env -i "${PROD_ENV[@]}" timeout 180 "$PY" manage.py $args) >"$TMP/manage.log" 2>&1 \
        || { tail -n 30 "$TMP/manage.log" >&2; die "manage.py $args failed"; }
done

# 3. gunicorn on a free loopback port (plain HTTP: it believes X-Forwarded-* from loopback only),
# nginx in front of it: TLS on :443, the redirect on :80. No gunicorn control socket (its default
# path, ~/.gunicorn/gunicorn.ctl, may be another gunicorn's).
UPSTREAM_PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
step "nginx: https://$HOST:443 (TLS in nginx) and http://$HOST:80 -> gunicorn 127.0.0.1:$UPSTREAM_PORT"
(cd "$ROOT" && exec env -i "${PROD_ENV[@]}" "$GUNICORN" cicasite.wsgi --bind "127.0.0.1:$UPSTREAM_PORT" \
    --workers 2 --timeout 20 --graceful-timeout 5 --no-control-socket) >>"$TMP/gunicorn.log" 2>&1 &
PIDS+=($!)
NGINX_CONF=$(cd "$ROOT" && env -i "${PROD_ENV[@]}" timeout 120 "$PY" manage.py nginx_config --dir "$TMP/nginx" \
    --listen 127.0.0.1:443 --redirect-listen 127.0.0.1:80 --upstream "127.0.0.1:$UPSTREAM_PORT" \
    --tls-cert "$TMP/server.pem" --tls-key "$TMP/server.key" --error-log "$TMP/nginx-error.log" 2>"$TMP/manage.log" | tail -n1) \
    || { cat "$TMP/manage.log" >&2; die "manage.py nginx_config failed"; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x $NGINX ]] || die "nginx is not installed (apt-get install nginx)"
"$NGINX" -t -q -c "$NGINX_CONF" || die "nginx -t failed for $NGINX_CONF"
"$NGINX" -c "$NGINX_CONF" -g 'daemon off;' >>"$TMP/gunicorn.log" 2>&1 &
PIDS+=($!)
CURL=(curl -s --max-time 5 --cacert "$TMP/ca.pem" -o /dev/null)
for _ in {1..150}; do
    if "${CURL[@]}" "https://$HOST/healthz" && "${CURL[@]}" "http://$HOST/healthz"; then break; fi
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null || die "gunicorn or nginx exited"; done
    sleep 0.2
done
"${CURL[@]}" "https://$HOST/healthz" || die "nginx does not answer on https://$HOST/"
printf '   %-34s %s\n' "GET http://$HOST/ ->" "$("${CURL[@]}" -w '%{http_code} %{redirect_url}' "http://$HOST/")" \
    "GET https://$HOST/ ->" "$("${CURL[@]}" -w '%{http_code} (certificate verified: %{ssl_verify_result}=0 is ok)' "https://$HOST/")"

# 4. The scanner, installed outside the repo. --ignore-scripts: its install scripts
# download the Mozilla CA bundle, Chromium's HSTS preload list and the TLD list, none
# of which is reachable offline.
if [[ ! -x $SCAN_BIN ]] || [[ $(node -p "require('$PKG/package.json').version" 2>/dev/null) != "$SCANNER_VERSION" ]]; then
    step "npm install @mdn/mdn-http-observatory@$SCANNER_VERSION into $SCANNER_DIR"
    mkdir -p "$SCANNER_DIR"
    timeout 300 npm install --no-save --ignore-scripts --no-audit --no-fund --loglevel=error \
        --prefix "$SCANNER_DIR" "@mdn/mdn-http-observatory@$SCANNER_VERSION" >"$TMP/npm.log" 2>&1 \
        || { cat "$TMP/npm.log" >&2; die "npm install failed"; }
fi
# The HSTS preload list the skipped script would fetch. localhost is not on the real
# list, so an empty one scores localhost the same way.
[[ -s $PKG/conf/hsts-preload.json ]] || echo '{}' >"$PKG/conf/hsts-preload.json"

# The CLI wrapper (bin/wrapper.js) overwrites NODE_EXTRA_CA_CERTS with the Mozilla
# bundle before it starts src/scan.js, so our CA reaches the scanner through OpenSSL's
# store instead (--use-openssl-ca + SSL_CERT_FILE, inherited by the child). Without a
# trusted certificate the scanner silently retries unverified and fails HSTS and
# redirection with "invalid cert".
SCAN_ENV=(NODE_EXTRA_CA_CERTS="$TMP/ca.pem" NODE_OPTIONS=--use-openssl-ca SSL_CERT_FILE="$TMP/ca.pem" NODE_NO_WARNINGS=1)

report() { # title, json file
    "$PY" - "$1" "$2" <<'EOF'
import json, sys
title, path = sys.argv[1], sys.argv[2]
data = json.load(open(path))
if "error" in data and "scan" not in data:
    sys.exit(f"{title}: scanner error: {data['error']}")
scan, tests = data["scan"], data["tests"]
print(f"\n## {title}")
print(f"grade {scan['grade']}   score {scan['score']}   tests passed {scan['testsPassed']}/{scan['testsQuantity']}"
      f"   final status {scan['statusCode']}   algorithm v{scan['algorithmVersion']}")
print(f"{'test':<31} {'pass':<5} {'modifier':>8}  result")
for name, test in tests.items():
    print(f"{name:<31} {'yes' if test['pass'] else 'NO':<5} {test['scoreModifier']:>+8}  {test['result']}")
route = tests.get("redirection", {}).get("route")
if route:
    print("  redirection route: " + " -> ".join(route))
hdrs = {k.lower(): v for k, v in scan["responseHeaders"].items()}
for name in ("strict-transport-security", "content-security-policy", "x-frame-options",
             "cross-origin-resource-policy", "referrer-policy", "x-content-type-options", "set-cookie"):
    print(f"  {name}: {hdrs.get(name, '(absent)')}")
if any(t["result"].endswith("invalid-cert") for t in tests.values()):
    print("WARNING: the scanner did not trust the throwaway CA; the grade is not meaningful.")
EOF
}

step "scan: $SCAN_BIN $HOST (https://$HOST:443, and the redirect from http://$HOST:80)"
env "${SCAN_ENV[@]}" timeout 90 "$SCAN_BIN" "$HOST" >"$TMP/scan.json" 2>"$TMP/scan.err" \
    || { cat "$TMP/scan.json" "$TMP/scan.err" >&2; die "the scan failed"; }
report "$SCAN_BIN $HOST  (page: /)" "$TMP/scan.json"

# Other page kinds: src/scanner/index.js's scan() does not pass options on to the
# retriever, so this mirrors scan() and hands the path to retrieve() itself.
cat >"$TMP/scan-path.mjs" <<'EOF'
const [pkg, hostname, path] = process.argv.slice(2);
const load = (m) => import(new URL(m, `file://${pkg}/src/`).href);
const { retrieve } = await load("retriever/retriever.js");
const { ALL_TESTS, NUM_TESTS, ALGORITHM_VERSION } = await load("constants.js");
const { getGradeForScore, getScoreModifier } = await load("grader/grader.js");
const { MINIMUM_SCORE_FOR_EXTRA_CREDIT } = await load("grader/charts.js");
const r = await retrieve(hostname, { path });
if (!r.responses.auto) throw new Error("The site seems to be down.");
const { status } = r.responses.auto;
if (status < 200 || (status >= 400 && ![401, 403].includes(status)))
  throw new Error(`Site did respond with an unexpected HTTP status code ${status}.`);
let passed = 0, withExtra = 100, uncurved = 100;
const tests = {};
for (const test of ALL_TESTS) {
  const result = test(r);
  if (result.result) {
    result.scoreModifier = getScoreModifier(result.result);
    passed += result.pass ? 1 : 0;
    withExtra += result.scoreModifier;
    if (result.scoreModifier < 0) uncurved += result.scoreModifier;
  }
  tests[result.constructor.name] = result;
}
const final = getGradeForScore(uncurved >= MINIMUM_SCORE_FOR_EXTRA_CREDIT ? withExtra : uncurved);
console.log(JSON.stringify({
  scan: { algorithmVersion: ALGORITHM_VERSION, grade: final.grade, score: final.score, statusCode: status,
          testsPassed: passed, testsFailed: NUM_TESTS - passed, testsQuantity: NUM_TESTS,
          responseHeaders: { ...r.responses.auto.headers } },
  tests,
}));
EOF
for path in "${EXTRA_PATHS[@]}"; do
    [[ $path == /* ]] || die "a path must start with /: $path"
    step "scan (scanner modules, path given): https://$HOST$path"
    env "${SCAN_ENV[@]}" timeout 90 node "$TMP/scan-path.mjs" "$PKG" "$HOST" "$path" >"$TMP/scan-path.json" 2>"$TMP/scan.err" \
        || { cat "$TMP/scan-path.json" "$TMP/scan.err" >&2; die "the scan of $path failed"; }
    report "$HOST$path" "$TMP/scan-path.json"
done
