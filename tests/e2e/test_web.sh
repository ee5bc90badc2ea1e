#!/usr/bin/env bash
# test_web.sh — the corridor page in a real browser: headless Chromium loads
# the page with an operator token, runs its JavaScript against the live API,
# and the rendered DOM must show the corridor's organisations by region and
# chain stage with the counts the API reports.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${LDS_BIN:-$root/build/san/lodestone}
tmp=$(mktemp -d)
pid=
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

browser=$(command -v chromium || command -v chromium-browser || true)
[[ -n $browser ]] || fail "chromium is not installed (scripts/install-deps installs it)"

cd "$root"
"$bin" seed --demo --db "$tmp/web.db" >/dev/null 2>&1 || fail "seed"
token=$("$bin" token create --db "$tmp/web.db" --org 1 --role operator)
"$bin" serve --db "$tmp/web.db" --port 0 >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 50); do [[ -s $tmp/out ]] && break; sleep 0.1; done
url=$(head -1 "$tmp/out")
[[ $url == http://127.0.0.1:* ]] || fail "server did not print its URL"

orgs=$(curl -s -H "Authorization: Bearer $token" "${url}api/v1/orgs?limit=500" |
  grep -o '"id":[0-9]*' | wc -l)
[[ $orgs -ge 60 ]] || fail "expected at least 60 organisations from the API, got $orgs"

timeout 60 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$tmp/profile" --virtual-time-budget=10000 --dump-dom \
  "${url}#token=$token" >"$tmp/dom.html" 2>"$tmp/browser.err" || fail "chromium failed: $(tail -3 "$tmp/browser.err")"

grep -q 'Organisations by region and chain stage' "$tmp/dom.html" || fail "page heading missing"
grep -q "<b>$orgs</b>organisations" "$tmp/dom.html" || fail "total of $orgs organisations not shown"
grep -q 'Zhanggong District, Ganzhou' "$tmp/dom.html" || fail "Ganzhou row missing"
grep -q 'Nanshan District, Shenzhen' "$tmp/dom.html" || fail "Shenzhen row missing"
grep -q 'synthetic' "$tmp/dom.html" || fail "synthetic-data notice missing"
rows=$(grep -o '<tr><td class="n">[0-9]*</td>' "$tmp/dom.html" | wc -l)
[[ $rows -eq $orgs ]] || fail "organisation table has $rows rows, API has $orgs"
# A bad token shows the sign-in form with the server's reason.
timeout 60 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$tmp/profile2" --virtual-time-budget=5000 --dump-dom \
  "${url}#token=lds_bad" >"$tmp/dom2.html" 2>/dev/null || fail "chromium failed"
grep -q 'That token was not accepted' "$tmp/dom2.html" || fail "bad token not reported"
echo "web page: $orgs organisations rendered in Chromium"
