#!/usr/bin/env bash
# test_web.sh — the dashboard in a real browser: headless Chromium loads each
# view (#/corridor, #/market, #/plan, #/trace, #/projects, #/investors) with a
# token in the URL, runs its JavaScript against the live API, and the rendered
# DOM must show the figures the API returns in the same test (read with curl
# and compared by python3).  Also: a member token does not see plans, a
# failing call shows the server's problem detail, a bad token is refused.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${LDS_BIN:-$root/build/san/lodestone}
tmp=$(mktemp -d)
pid=
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  [[ -s $tmp/err ]] && { echo "server stderr:" >&2; tail -30 "$tmp/err" >&2; }
  [[ -n ${LDS_WEB_KEEP:-} ]] && { cp -r "$tmp" "$LDS_WEB_KEEP"; echo "kept in $LDS_WEB_KEEP" >&2; }
  exit 1
}

browser=$(command -v chromium || command -v chromium-browser || true)
[[ -n $browser ]] || fail "chromium is not installed (scripts/install-deps installs it)"
command -v python3 >/dev/null || fail "python3 is needed to compare the DOM with the API"

cd "$root"
"$bin" seed --demo --db "$tmp/web.db" >/dev/null 2>&1 || fail "seed"
token=$("$bin" token create --db "$tmp/web.db" --org 1 --role operator)
member=$("$bin" token create --db "$tmp/web.db" --org 2 --role member)
auditor=$("$bin" token create --db "$tmp/web.db" --org 2 --role auditor)
"$bin" serve --db "$tmp/web.db" --port 0 >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 50); do [[ -s $tmp/out ]] && break; sleep 0.1; done
url=$(head -1 "$tmp/out")
[[ $url == http://127.0.0.1:* ]] || fail "server did not print its URL"

# get PATH FILE / post PATH BODY FILE: the API's answer saved for python3
get() { curl -sf -H "Authorization: Bearer $token" "${url}api/v1/$1" >"$tmp/$2" || fail "GET $1"; }
post() {
  curl -sf -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "$2" "${url}api/v1/$1" >"$tmp/$3" || fail "POST $1"
}
n=0
dump() { # HASH: loads ${url}#HASH, the DOM in $dom; each run its own profile
  n=$((n + 1))
  dom=$tmp/dom$n.html
  timeout 60 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$tmp/profile$n" --virtual-time-budget=15000 --dump-dom \
    "${url}#$1" >"$dom" 2>"$tmp/browser$n.err" ||
    fail "chromium failed on #$1: $(tail -3 "$tmp/browser$n.err")"
}
py() { python3 - "$tmp" "$@" || fail "the DOM differs from the API (above)"; }

# The comparison helpers: fmt() is the page's toLocaleString('en-US') with
# fixed digits (half away from zero on the exact binary value).
cat >"$tmp/lib.py" <<'EOF'
import html, json, os, re, sys
from decimal import Decimal, ROUND_HALF_UP
tmp = sys.argv[1]
def load(name): return json.load(open(os.path.join(tmp, name)))
def dom(path): return open(path).read()
def fmt(x, d):
    q = Decimal(x).quantize(Decimal(1).scaleb(-d), rounding=ROUND_HALF_UP)
    return f"{q:,.{d}f}"
def pct(x, d=1): return fmt(100 * x, d) + " %"
def esc(s): return html.escape(str(s), quote=False)
def label(s): return str(s).replace("_", " ")
def num(x, d): return f'<td class="num" data-v="{x}">{fmt(x, d)}</td>'
def must(cond, what):
    if not cond:
        print("FAIL:", what, file=sys.stderr); sys.exit(1)
def has(d, s, what): must(s in d, f"{what}: {s[:200]!r} not in the DOM")
def table(d, tid):
    m = re.search(r'<table id="%s">.*?</table>' % re.escape(tid), d, re.S)
    must(m, f"table #{tid} missing"); return m.group(0)
def rows(t): return re.findall(r'<tbody>(.*)</tbody>', t, re.S)[0].count('<tr')
EOF

# Traceability first, on a fresh server: a handler that holds a prepared
# statement while preparing others touches freed memory when the worker's
# statement cache grows meanwhile (src/store/sqlite.c grow_cache moves the
# slots; seen in src/trace/passport.c read_hold and the lots list); until
# that is fixed in the store, this order keeps the caches small here.
# ---- traceability: a magnet lot's provenance and descendants, passport tier, STH ----
get "lots?limit=500" lots.json
# a magnet lot: origins in two regions and three mines, and a motor made from it
lot=$(python3 -c 'import json,sys
print([l for l in json.load(open(sys.argv[1]))["items"] if l["material"].startswith("mag_")][-1]["lot"])' "$tmp/lots.json")
enc=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$lot")
get "lots/$enc/provenance" prov.json
get "lots/$enc/passport" pass.json
get "lots/$enc/descendants" desc.json
get ledger/sth sth.json
dump "/trace/$enc&token=$token"
py "$dom" <<'EOF'
import sys; exec(open(sys.argv[1] + "/lib.py").read())
d = dom(sys.argv[2]); prov = load("prov.json"); sth = load("sth.json"); lots = load("lots.json")["items"]
has(d, '<body data-view="trace" data-ready="trace">', "trace view loaded")
has(d, f'<dd id="sth-size">{sth["tree_size"]}</dd>', "STH size")
has(d, f'<dd id="sth-root">{sth["sha256_root_hash"]}</dd>', "STH root")
has(d, f'<b id="passport-tier">{load("pass.json")["tier"]}</b>', "passport tier")
must(load("pass.json")["tier"] == "private", "an operator reads the private tier")
from urllib.parse import quote
reg = {k: v for k, v in prov["by_region"].items() if v > 0}
mine = {k: v for k, v in prov["by_mine"].items() if v > 0}
must(len(reg) >= 2 and len(mine) >= 2, "the demo motor comes from several regions and mines")
rt, mt = table(d, "by-region"), table(d, "by-mine")
for k, v in reg.items(): has(rt, f'<th scope="row">{esc(k)}</th>{num(v, 4)}<td class="num">{pct(v)}</td>', "region share")
for k, v in mine.items(): has(mt, f'<th scope="row">{esc(k)}</th>{num(v, 4)}<td class="num">{pct(v)}</td>', "mine share")
must(rows(table(d, "origins")) == len(prov["origins"]), "one row per origin lot")
desc = load("desc.json")["descendants"]; dt = table(d, "descendants")
must(desc and rows(dt) == len(desc), "one row per descendant")
for x in desc:
    has(dt, f'<a href="#/trace/{esc(quote(x["lot"], safe=""))}">{esc(x["lot"])}</a></th><td>{esc(x["material"])}</td>'
            + num(x["depth"], 0) + f'<td class="num">{pct(x["fraction"])}</td>', "descendant row")
must(rows(table(d, "lots-table")) == len(lots), "one row per lot")
EOF

# ---- the corridor (the original checks, unchanged in substance) ----
orgs=$(curl -s -H "Authorization: Bearer $token" "${url}api/v1/orgs?limit=500" |
  grep -o '"id":[0-9]*' | wc -l)
[[ $orgs -ge 60 ]] || fail "expected at least 60 organisations from the API, got $orgs"
dump "token=$token"
grep -q 'Organisations by region and chain stage' "$dom" || fail "page heading missing"
grep -q "<b>$orgs</b>organisations" "$dom" || fail "total of $orgs organisations not shown"
grep -q 'Zhanggong District, Ganzhou' "$dom" || fail "Ganzhou row missing"
grep -q 'Nanshan District, Shenzhen' "$dom" || fail "Shenzhen row missing"
grep -q 'synthetic' "$dom" || fail "synthetic-data notice missing"
rows=$(grep -o '<tr><td class="n">[0-9]*</td>' "$dom" | wc -l)
[[ $rows -eq $orgs ]] || fail "organisation table has $rows rows, API has $orgs"
grep -q '<body data-view="corridor" data-ready="corridor">' "$dom" || fail "corridor view not the default"

# ---- state the views show: a match run, a plan run, a project at the plan's
# top bottleneck (so an investor match carries the bottleneck bonus) ----
post match-runs '{}' run.json
post plans '{}' plan.json
read -r top_fac < <(python3 -c '
import json,sys
bf = json.load(open(sys.argv[1]))["result"]["bottleneck_facilities"]
print(max(bf, key=lambda b: b["value_max"])["facility_id"])' "$tmp/plan.json")
get "facilities/$top_fac" fac.json
mat=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["material_id"])' "$tmp/fac.json")
post projects "{\"title\":\"web test line at the top bottleneck (synthetic)\",\"sponsor_org\":1,\
\"sector\":\"magnets\",\"region\":\"nanshan\",\"financing_need_cny\":100000000,\"open_to_investors\":true,\
\"materials\":[{\"material\":\"mag_n42sh\",\"direction\":\"produces\"}],\
\"capacity\":[{\"facility\":$top_fac,\"material\":\"$mat\",\"tonnes\":1200,\"per\":\"year\"}]}" project.json
proj=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$tmp/project.json")

# ---- market ----
get match-runs/"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$tmp/run.json")" run.json
for side in offers requests; do
  : >"$tmp/$side.ids"; next=
  while :; do
    get "$side?limit=500${next:+&next=$next}" page.json
    python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))
for i in p["items"]: print(i["status"], i["quantity"])' "$tmp/page.json" >>"$tmp/$side.ids"
    next=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["next"] or "")' "$tmp/page.json")
    [[ -n $next ]] || break
  done
done
dump "/market&token=$token"
py "$dom" <<'EOF'
import sys; exec(open(sys.argv[1] + "/lib.py").read())
d = dom(sys.argv[2]); run = load("run.json"); t = run["totals"]
has(d, '<body data-view="market" data-ready="market">', "market view loaded")
for side in ("offers", "requests"):
    lines = [l.split() for l in open(os.path.join(tmp, side + ".ids"))]
    n = len(lines); op = [float(q) for s, q in lines if s == "open"]
    must(n >= 1000, f"demo has {n} {side}")
    has(d, f'<b data-v="{n}">{n}</b>{side}<', f"{side} count")
    has(d, f'<b data-v="{len(op)}">{len(op)}</b>open {side}<', f"open {side}")
    has(d, f'>{fmt(sum(op), 1)}</b>open {side[:-1]} quantity (t)<', f"open {side} quantity")
has(d, f'<div class="block" id="match-run-{run["id"]}"><h3>Latest run #{run["id"]}</h3>', "latest run panel")
has(d, f'>{fmt(t["matched_quantity"], 1)}</b>matched quantity (t)<', "matched quantity")
has(d, f'>{fmt(t["total_cost"], 0)}</b>total cost (CNY)<', "total cost")
has(d, f'<b data-v="{len(run["allocations"])}">{len(run["allocations"])}</b>allocations<', "allocations")
has(d, f'<b data-v="{len(run["unmet"])}">{len(run["unmet"])}</b>unmet requests<', "unmet count")
has(d, f'>{fmt(run["solve"]["time_ms"], 1)} ms</b>solve ({run["solve"]["mode"]})<', "solve time and mode")
by = {}
for u in run["unmet"]: by[u["reason"]] = by.get(u["reason"], 0) + 1
must(len(by) >= 2, "the demo run has unmet requests for several reasons")
ur = table(d, "unmet-reasons")
for r, c in by.items():
    has(ur, f'<th scope="row">{label(r)}</th><td class="num" data-v="{c}">{c}</td>', f"unmet reason {r}")
rt = table(d, "runs-table")
has(rt, f'<th scope="row">{run["id"]}</th><td>{run["created_at"]}</td><td>all</td><td>{run["solve"]["mode"]}</td>', "run row")
must(rows(rt) == 1, "one run listed")
EOF

# ---- plan: the latest run is found without its id in the URL ----
dump "/plan&token=$token"
py "$dom" <<'EOF'
import sys; exec(open(sys.argv[1] + "/lib.py").read())
d = dom(sys.argv[2]); plan = load("plan.json"); p = plan["result"]
has(d, '<body data-view="plan" data-ready="plan">', "plan view loaded")
has(d, '<span id="plan-run-controls">', "an operator can run a plan")
has(d, f'<h3>Plan run #{plan["id"]} — scenario {p["scenario"]}</h3>', "plan headline")
has(d, f'>{pct(p["fill_rate"], 2)}</b>fill rate<', "fill rate")
has(d, f'>{fmt(p["short_total"], 0)}</b>short (units)<', "short total")
has(d, f'>{fmt(p["cost_cny"], 0)}</b>cost (CNY)<', "cost")
bf = sorted(p["bottleneck_facilities"], key=lambda b: -b["value_max"])
bt = table(d, "bottleneck-facilities")
must(rows(bt) == min(10, len(bf)), "bottleneck rows")
has(bt, f'<th scope="row">1</th><td>{esc(bf[0]["facility"])}</td><td>{bf[0]["region"]}</td>', "top bottleneck")
has(bt, f'>{fmt(bf[0]["value_max"], 2)}</td>', "top dual value")
st = table(d, "shortages")
must(len(p["shortages"]) >= 1 and rows(st) == len(p["shortages"]), "one row per shortage")
for s in p["shortages"]:
    has(st, f'<th scope="row">{esc(s["material"])}</th><td>{esc(s["region"])}</td><td>{s["period"]}</td>', "shortage row")
    for r in s["reasons"]:
        has(st, f'<li>{esc(label(r["kind"]))}: {esc(r["what"])}', "why-short reason")
EOF

# ---- projects: pipeline, list, a project with an overdue request, metrics ----
get "service-requests?overdue=true&limit=1" od.json
pid_od=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["items"][0]["project"])' "$tmp/od.json")
get "projects?limit=500" projects.json
get "projects/$pid_od/timeline?limit=500" timeline.json
get "service-requests?project=$pid_od&limit=500" srs.json
get metrics/lifecycle metrics.json
dump "/projects/$pid_od&token=$token"
py "$dom" <<'EOF'
import sys; exec(open(sys.argv[1] + "/lib.py").read())
d = dom(sys.argv[2]); ps = load("projects.json")["items"]; m = load("metrics.json")
has(d, '<body data-view="projects" data-ready="projects">', "projects view loaded")
counts = {}
for p in ps: counts[p["stage"]] = counts.get(p["stage"], 0) + 1
must(counts.get("on_hold", 0) > 0 and counts.get("abandoned", 0) > 0, "demo has held and abandoned projects")
pt = table(d, "pipeline")
for s, c in counts.items():
    has(pt, f'<th scope="row"><a href="#/projects">{label(s)}</a></th><td class="num" data-v="{c}">{c}</td>', f"stage {s}")
must(rows(table(d, "projects-table")) == len(ps), "one row per project")
tl = load("timeline.json")["items"]; srs = load("srs.json")["items"]
must(rows(table(d, "timeline")) == len(tl), "one row per timeline entry")
st = table(d, "service-requests")
must(rows(st) == len(srs), "one row per service request")
od = [r for r in srs if r["overdue"]]
must(od and st.count('<tr class="overdue">') == len(od), "overdue requests highlighted")
for r in od: has(st, f'<tr class="overdue"><th scope="row">{r["id"]}</th>', "overdue request row")
a = [x for x in m["time_to_market"] if x["dimension"] == "all"][0]
has(d, f'>{fmt(a["median_days"], 1)}</b>time to market, median (days)<', "time to market median")
has(d, f'>{fmt(a["p90_days"], 1)}</b>time to market, p90 (days)<', "time to market p90")
sf = table(d, "sla-factor")
for x in m["sla_by_factor"]:
    has(sf, f'<th scope="row">{label(x["factor"])}</th>' + num(x["requests"], 0) + num(x["decided"], 0)
        + num(x["breached"], 0) + num(x["open_overdue"], 0) + f'<td class="num">{pct(x["breach_rate"])}</td>',
        f'SLA of {x["factor"]}')
EOF

# ---- investors: matches with the bottleneck bonus, deals by stage, mandates ----
get "projects/$proj/investor-matches?limit=20" matches.json
get "deals?limit=500" deals.json
get "mandates?limit=500" mandates.json
dump "/investors/$proj&token=$token"
py "$dom" <<'EOF'
import sys; exec(open(sys.argv[1] + "/lib.py").read())
d = dom(sys.argv[2]); m = load("matches.json"); plan = load("plan.json")
has(d, '<body data-view="investors" data-ready="investors">', "investors view loaded")
must(m["plan_run"] == plan["id"], "matches use the latest plan run")
has(d, f'Bottleneck bonus from plan run #{plan["id"]}', "plan run named")
mt = table(d, "matches-table")
must(len(m["items"]) >= 1 and rows(mt) == len(m["items"]), "one row per match")
first = m["items"][0]; bn = first["explanation"]["bottleneck"]
must(bn is not None and bn["rank"] == 1, "the project at the top bottleneck earns the bonus")
has(mt, f'<th scope="row">1</th><td>{esc(first["investor"])}</td><td>{esc(first["mandate"])}</td>'
        + num(first["score"], 1), "best match first with its score")
has(mt, f'<b>+{fmt(bn["bonus"], 1)} points</b> — bottleneck #1 {esc(bn["facility"])}, dual value '
        f'{fmt(bn["dual"], 2)} CNY/t: {esc(bn["detail"])}', "bonus with its dual value")
for c in first["explanation"]["criteria"]:
    has(mt, f'{c["criterion"]} +{c["points"]}: {esc(c["detail"])}', "criterion explained")
counts = {}
for x in load("deals.json")["items"]: counts[x["stage"]] = counts.get(x["stage"], 0) + 1
must(counts, "demo has deals")
dt = table(d, "deal-stages")
for s, c in counts.items(): has(dt, f'<th scope="row">{label(s)}</th><td class="num" data-v="{c}">{c}</td>', f"deals {s}")
n = len(load("mandates.json")["items"])
has(d, f'<h3>Mandates ({n})</h3>', "mandates count"); must(rows(table(d, "mandates-table")) == n, "mandate rows")
EOF

# ---- a member cannot read plans: the view says so and the link is hidden ----
dump "/plan&token=$member"
grep -q '<a href="#/plan" data-view="plan" hidden=""' "$dom" || fail "plan link shown to a member"
grep -q 'This token cannot see plans: plans are read by operators and auditors' "$dom" || fail "member not told plans are hidden"
dump "/investors&token=$member"
grep -q '<body data-view="investors" data-ready="investors">' "$dom" || fail "investors view for a member"
grep -q '<div id="mandates"><p class="note">This token cannot see mandates: ' "$dom" || fail "mandates shown to a member"
grep -q '<table id="deal-stages">' "$dom" || fail "deals not shown to a member"
# ---- an auditor reads the latest plan but cannot run one ----
dump "/plan&token=$auditor"
grep -q '<span id="plan-run-controls" hidden="">' "$dom" || fail "plan run offered to an auditor"
grep -q "<h3>Plan run #$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$tmp/plan.json") — scenario" "$dom" ||
  fail "auditor does not see the latest plan"
# ---- a failing call shows the server's problem detail ----
dump "/plan/999999&token=$token"
grep -q "<strong>Could not load the plan: Not Found (404)</strong> no plan run 999999" "$dom" ||
  fail "problem detail of a missing plan not shown"

# A bad token shows the sign-in form with the server's reason.
dump "token=lds_bad"
grep -q 'That token was not accepted' "$dom" || fail "bad token not reported"
echo "web dashboard: $orgs organisations and the market, plan, trace, projects and investors views rendered in Chromium"
