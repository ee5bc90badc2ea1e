// Lodestone dashboard: reads the API with the user's bearer token and shows
// the corridor, the market, the plan, traceability, projects and investors.
// Hash routes: #/corridor, #/market, #/plan[/ID], #/trace[/LOT], #/projects[/ID],
// #/investors[/PROJECT]; a "token=..." part anywhere in the hash signs in.
// No framework, no CDN, no build step.
'use strict';

const STAGES = ['mining', 'separation', 'metal', 'alloy', 'magnet', 'component', 'end_product', 'recycling'];
const PSTAGES = ['proposed', 'permitting', 'financing', 'technical_validation', 'pilot_production',
                 'talent', 'market_access', 'operating', 'on_hold', 'abandoned'];
const DEAL_STAGES = ['introduced', 'diligence', 'term_sheet', 'closed', 'declined'];
const VIEWS = ['corridor', 'market', 'plan', 'trace', 'projects', 'investors'];
let token = null;
let caps = { plans: true, mandates: true, why: {} };
let orgs = [], regions = [];
let corridorLoaded = false;
let projectsCache = null;

/* ---------- token, routes, API ---------- */

function readToken() {
  const h = location.hash;
  const m = h.match(/token=([A-Za-z0-9_\-]+)/);
  if (m) {
    localStorage.setItem('lodestone.token', m[1]);
    const rest = h.replace(/[#?&]?token=[A-Za-z0-9_\-]+/, '').replace(/^#/, '').replace(/[?&]$/, '');
    history.replaceState(null, '', location.pathname + (rest.startsWith('/') ? '#' + rest : ''));
  }
  return localStorage.getItem('lodestone.token');
}

function route() {
  const h = location.hash.replace(/^#\/?/, '');
  const slash = h.indexOf('/');
  const view = slash < 0 ? h : h.slice(0, slash);
  const arg = slash < 0 ? '' : decodeURIComponent(h.slice(slash + 1));
  return { view: VIEWS.includes(view) ? view : 'corridor', arg };
}

class Problem extends Error {
  constructor(status, body) {
    super((body && (body.detail || body.title)) || ('HTTP ' + status));
    this.status = status;
    this.body = body || {};
  }
}

async function api(path, opts) {
  opts = opts || {};
  const headers = { Authorization: 'Bearer ' + token };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method: opts.method || 'GET', headers,
                                  body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (!res.ok) throw new Problem(res.status, body);
  return body;
}

async function all(resource) {
  const items = [];
  let next = null;
  const sep = resource.includes('?') ? '&' : '?';
  do {
    const q = '/api/v1/' + resource + sep + 'limit=500' + (next ? '&next=' + encodeURIComponent(next) : '');
    const page = await api(q);
    items.push(...page.items);
    next = page.next;
  } while (next);
  return items;
}

/* ---------- DOM helpers ---------- */

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function link(text, href) { const a = el('a', text); a.href = href; return a; }

function fmt(x, d) {
  if (x === null || x === undefined || Number.isNaN(Number(x))) return '—';
  return Number(x).toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}
function pct(x, d) { return x === null || x === undefined ? '—' : fmt(100 * x, d === undefined ? 1 : d) + ' %'; }
function label(s) { return s === null || s === undefined ? '—' : String(s).replace(/_/g, ' '); }

// A number cell: the formatted figure, the API's raw value in data-v.
function num(x, d, suffix) {
  const td = el('td', fmt(x, d) + (suffix && x !== null && x !== undefined ? suffix : ''), 'num');
  if (x !== null && x !== undefined) td.dataset.v = String(x);
  return td;
}

// An accessible table: caption, column headers with scope, the first cell of
// each row a row header.  Cells are strings, numbers, or ready nodes.
function table(caption, cols, rows, id) {
  const t = el('table');
  if (id) t.id = id;
  t.append(el('caption', caption));
  const thead = el('thead'), hr = el('tr');
  for (const c of cols) { const th = el('th', c); th.scope = 'col'; hr.append(th); }
  thead.append(hr); t.append(thead);
  const tb = el('tbody');
  for (const r of rows) {
    const tr = el('tr');
    if (r.cls) tr.className = r.cls;
    const cells = r.cells || r;
    cells.forEach((c, i) => {
      let cell;
      if (c instanceof Node && (c.tagName === 'TD' || c.tagName === 'TH')) cell = c;
      else {
        cell = el(i === 0 ? 'th' : 'td');
        if (i === 0) cell.scope = 'row';
        if (c instanceof Node) cell.append(c); else cell.textContent = c === null || c === undefined ? '—' : String(c);
      }
      tr.append(cell);
    });
    tb.append(tr);
  }
  if (!rows.length) {
    const tr = el('tr'), td = el('td', 'none', 'empty');
    td.colSpan = cols.length; tr.append(td); tb.append(tr);
  }
  t.append(tb);
  return t;
}

function figures(box, list) {
  box.replaceChildren();
  for (const [lab, value, raw] of list) {
    const d = el('div', null, 'figure');
    const b = el('b', value);
    if (raw !== undefined && raw !== null) b.dataset.v = String(raw);
    d.append(b, lab);
    box.append(d);
  }
  return box;
}

function section(parent, title) {
  const s = el('div', null, 'block');
  s.append(el('h3', title));
  parent.append(s);
  return s;
}

// Show the server's problem detail in the view (title, status, detail, and
// the pointer of each invalid field).
function showProblem(view, e, what) {
  const box = document.querySelector('#' + view + ' .problem');
  box.replaceChildren();
  box.hidden = false;
  const b = e.body || {};
  box.append(el('strong', (what ? what + ': ' : '') + (b.title || 'Error') + (e.status ? ' (' + e.status + ')' : '')),
             document.createTextNode(' ' + (b.detail || e.message)));
  if (Array.isArray(b.errors) && b.errors.length) {
    const ul = el('ul');
    for (const f of b.errors) ul.append(el('li', (f.pointer || '') + ': ' + f.message));
    box.append(ul);
  }
}
function clearProblem(view) { const box = document.querySelector('#' + view + ' .problem'); box.hidden = true; box.replaceChildren(); }

async function guarded(view, what, fn) {
  try { return await fn(); } catch (e) {
    if (e.status === 401) { signOut('That token was not accepted: ' + e.message); return undefined; }
    showProblem(view, e, what);
    return undefined;
  }
}

/* ---------- corridor ---------- */

function renderTotals() {
  const box = document.getElementById('totals');
  box.replaceChildren();
  const kinds = {};
  for (const o of orgs) kinds[o.kind] = (kinds[o.kind] || 0) + 1;
  const add = (lab, n) => { const d = el('div'); d.append(el('b', String(n)), lab); box.append(d); };
  add('organisations', orgs.length);
  add('regions', regions.length);
  for (const [k, n] of Object.entries(kinds).sort()) add(k.replace(/_/g, ' '), n);
}

function renderMatrix() {
  const t = document.getElementById('matrix');
  t.replaceChildren();
  t.append(el('caption', 'Organisations per region (rows) and chain stage (columns)'));
  const stages = STAGES.slice();
  for (const o of orgs) if (o.stage_id && !stages.includes(o.stage_id)) stages.push(o.stage_id);
  const head = el('tr');
  head.append(el('th', 'region'));
  for (const s of stages) head.append(el('th', s.replace(/_/g, ' ')));
  head.append(el('th', 'no stage'), el('th', 'total'));
  for (const th of head.children) th.scope = 'col';
  const thead = el('thead'); thead.append(head); t.append(thead);
  const tbody = el('tbody');
  for (const r of regions) {
    const mine = orgs.filter(o => o.region_id === r.id);
    if (!mine.length) continue;
    const tr = el('tr');
    const th = el('th', r.name); th.scope = 'row';
    tr.append(th);
    for (const s of [...stages, null]) {
      const n = mine.filter(o => (o.stage_id || null) === s).length;
      tr.append(el('td', String(n), n ? 'n' : 'n zero'));
    }
    tr.append(el('td', String(mine.length), 'n'));
    tbody.append(tr);
  }
  t.append(tbody);
}

function renderOrgs() {
  const region = document.getElementById('filter-region').value;
  const stage = document.getElementById('filter-stage').value;
  const tbody = document.querySelector('#orgs tbody');
  tbody.replaceChildren();
  const names = Object.fromEntries(regions.map(r => [r.id, r.name]));
  for (const o of orgs) {
    if (region && o.region_id !== region) continue;
    if (stage && o.stage_id !== stage) continue;
    const tr = el('tr');
    tr.append(el('td', String(o.id), 'n'), el('td', o.name), el('td', o.kind.replace(/_/g, ' ')),
              el('td', o.stage_id || '—'), el('td', names[o.region_id] || o.region_id));
    tbody.append(tr);
  }
}

function fillFilters() {
  const rs = document.getElementById('filter-region');
  rs.length = 1;
  document.getElementById('filter-stage').length = 1;
  for (const r of regions) { const o = el('option', r.name); o.value = r.id; rs.append(o); }
  const ss = document.getElementById('filter-stage');
  for (const s of STAGES) { const o = el('option', s.replace(/_/g, ' ')); o.value = s; ss.append(o); }
  rs.onchange = ss.onchange = renderOrgs;
}

async function viewCorridor() {
  if (corridorLoaded) return;
  [regions, orgs] = await Promise.all([all('regions'), all('orgs')]);
  corridorLoaded = true;
  renderTotals(); renderMatrix(); fillFilters(); renderOrgs();
}

/* ---------- market ---------- */

function sideTotals(items, qtyField) {
  const open = items.filter(x => x.status === 'open');
  return { n: items.length, open: open.length, qty: open.reduce((s, x) => s + (Number(x[qtyField]) || 0), 0) };
}

function renderRunResult(box, run, title) {
  box.replaceChildren();
  const s = section(box, title);
  s.id = 'match-run-' + run.id;
  const t = run.totals || {};
  const solve = run.solve || {};
  const fig = el('div', null, 'totals');
  figures(fig, [
    ['matched quantity (t)', fmt(t.matched_quantity, 1), t.matched_quantity],
    ['total cost (CNY)', fmt(t.total_cost, 0), t.total_cost],
    ['allocations', String((run.allocations || []).length), (run.allocations || []).length],
    ['unmet requests', String((run.unmet || []).length), (run.unmet || []).length],
    ['unmet quantity (t)', fmt(t.unmet_quantity, 1), t.unmet_quantity],
    ['solve (' + (solve.mode || '?') + ')', fmt(solve.time_ms, 1) + ' ms', solve.time_ms],
  ]);
  s.append(fig);
  if (solve.note) s.append(el('p', solve.note, 'note'));
  const byReason = {};
  for (const u of run.unmet || []) {
    const r = byReason[u.reason] || (byReason[u.reason] = { n: 0, q: 0 });
    r.n++; r.q += Number(u.unmet) || 0;
  }
  const rows = Object.entries(byReason).sort((a, b) => b[1].n - a[1].n)
    .map(([reason, r]) => [label(reason), num(r.n, 0), num(r.q, 1)]);
  s.append(table('Unmet requests of run #' + run.id + ' by reason', ['reason', 'requests', 'unmet (t)'], rows,
                 'unmet-reasons'));
  const first = (run.unmet || []).slice(0, 15).map(u => [String(u.request_id), u.material, u.region, u.due_period,
    num(u.requested, 1), num(u.unmet, 1), label(u.reason)]);
  if (first.length)
    s.append(table('First ' + first.length + ' unmet requests of run #' + run.id,
                   ['request', 'material', 'region', 'due', 'requested (t)', 'unmet (t)', 'reason'], first));
}

async function viewMarket() {
  const [offers, requests, runs] = await Promise.all([all('offers'), all('requests'), all('match-runs')]);
  const o = sideTotals(offers, 'quantity'), r = sideTotals(requests, 'quantity');
  figures(document.getElementById('market-totals'), [
    ['offers', String(o.n), o.n], ['open offers', String(o.open), o.open],
    ['open offer quantity (t)', fmt(o.qty, 1), o.qty],
    ['requests', String(r.n), r.n], ['open requests', String(r.open), r.open],
    ['open request quantity (t)', fmt(r.qty, 1), r.qty],
    ['match runs', String(runs.length), runs.length],
  ]);
  runs.sort((a, b) => b.id - a.id);
  const latest = runs.slice(0, 10);
  const details = await Promise.all(latest.slice(0, 5).map(x => api('/api/v1/match-runs/' + x.id).catch(() => null)));
  const rows = latest.map((x, i) => {
    const d = details[i];
    const solve = d ? d.solve || {} : {};
    return [String(x.id), x.created_at, x.material || 'all', x.solve_mode || solve.mode || '—',
            num(x.matched_quantity, 1), num(x.total_cost, 0),
            d ? num(solve.time_ms, 1) : el('td', '—'), d ? num(solve.cpu_ms, 1) : el('td', '—')];
  });
  const box = document.getElementById('match-runs');
  box.replaceChildren(table('Latest match runs (newest first; totals shown to operators and auditors)',
    ['run', 'created', 'scope', 'warm/cold', 'matched (t)', 'total cost (CNY)', 'solve (ms)', 'CPU (ms)'],
    rows, 'runs-table'));
  const res = document.getElementById('match-result');
  if (details[0] && !res.dataset.fresh) renderRunResult(res, details[0], 'Latest run #' + details[0].id);
}

async function startMatchRun(ev) {
  ev.preventDefault();
  const busy = document.querySelector('#match-form .busy');
  const body = {};
  const m = document.getElementById('match-material').value.trim();
  if (m) body.material = m;
  if (document.getElementById('match-cold').checked) body.cold = true;
  busy.textContent = 'running…';
  clearProblem('market');
  const run = await guarded('market', 'Match run refused', () => api('/api/v1/match-runs', { method: 'POST', body }));
  busy.textContent = '';
  if (!run) return;
  const res = document.getElementById('match-result');
  res.dataset.fresh = '1';
  renderRunResult(res, run, 'Match run #' + run.id + ' just started: result');
  await guarded('market', 'Could not refresh the market', viewMarket);
}

/* ---------- plan ---------- */

// The latest stored plan run (GET /api/v1/plans is newest first).
async function latestPlanId() {
  const page = await api('/api/v1/plans?limit=1');
  return page.items.length ? page.items[0].id : null;
}

function renderPlan(run) {
  const box = document.getElementById('plan-body');
  box.replaceChildren();
  const p = run.result || run;
  const head = section(box, 'Plan run #' + run.id + ' — scenario ' + (p.scenario || run.scenario || 'as-is'));
  head.id = 'plan-run-' + run.id;
  figures(head.appendChild(el('div', null, 'totals')), [
    ['fill rate', pct(p.fill_rate, 2), p.fill_rate],
    ['demand (units)', fmt(p.demand_total, 0), p.demand_total],
    ['short (units)', fmt(p.short_total, 0), p.short_total],
    ['cost (CNY)', fmt(p.cost_cny, 0), p.cost_cny],
    ['periods from ' + (p.first_period || '?'), String(p.periods), p.periods],
    ['recycled share', pct(p.recycled_share, 1), p.recycled_share],
    ['solve (s)', fmt(p.solve_seconds, 3), p.solve_seconds],
    ['LP rows × columns', fmt(p.rows, 0) + ' × ' + fmt(p.columns, 0)],
  ]);
  const bf = (p.bottleneck_facilities || []).slice().sort((a, b) => b.value_max - a.value_max).slice(0, 10);
  const s1 = section(box, 'Top bottlenecks by dual value');
  s1.append(table('Facilities whose capacity binds, ranked by dual value (CNY saved per extra t of capacity)',
    ['rank', 'facility', 'region', 'periods binding', 'dual value max (CNY/t)', 'dual value sum'],
    bf.map((b, i) => [String(i + 1), b.facility, b.region, num(b.periods_binding, 0), num(b.value_max, 2),
                      num(b.value_sum, 2)]), 'bottleneck-facilities'));
  const bn = (p.bottlenecks || []).slice().sort((a, b) => b.value - a.value).slice(0, 10);
  s1.append(table('Binding constraints, highest dual value first',
    ['rank', 'constraint', 'kind', 'dual value', 'used', 'bound'],
    bn.map((b, i) => [String(i + 1), b.what, b.kind, num(b.value, 2), num(b.used, 1), num(b.bound, 1)])));
  const s2 = section(box, 'Shortages and why short');
  const sh = (p.shortages || []).slice().sort((a, b) => b.short - a.short);
  s2.append(table('Shortages: demand the plan cannot meet, with the reasons the solver gives',
    ['material', 'region', 'period', 'demand', 'short', 'why short'],
    sh.map(s => {
      const ul = el('ul', null, 'reasons');
      for (const r of s.reasons || [])
        ul.append(el('li', label(r.kind) + ': ' + r.what + (r.value ? ' (dual ' + fmt(r.value, 2) + ')' : '')));
      const td = el('td'); td.append(ul);
      return [s.material, s.region, s.period, num(s.demand, 1), num(s.short, 1), td];
    }), 'shortages'));
}

async function viewPlan(arg) {
  const box = document.getElementById('plan-body');
  if (!caps.plans) { box.replaceChildren(el('p', 'This token cannot see plans: ' + caps.why.plans + '.')); return; }
  const id = Number(arg) || await latestPlanId();
  if (!id) {
    box.replaceChildren(el('p', 'No plan run is stored yet: run one with the button above (operators).'));
    return;
  }
  renderPlan(await api('/api/v1/plans/' + id));
}

async function runPlan(ev) {
  ev.preventDefault();
  const sc = document.getElementById('plan-scenario').value.trim();
  const busy = document.querySelector('#plan-form .busy');
  const pid = document.getElementById('plan-id').value.trim();
  clearProblem('plan');
  if ((ev.submitter && ev.submitter.id === 'plan-open') || !caps.planRun) {
    if (pid) location.hash = '#/plan/' + encodeURIComponent(pid);
    return;
  }
  busy.textContent = 'solving…';
  const run = await guarded('plan', 'Plan refused', () => api('/api/v1/plans', { method: 'POST', body: sc ? { scenario: sc } : {} }));
  busy.textContent = '';
  if (!run) return;
  renderPlan(run);
  history.replaceState(null, '', '#/plan/' + run.id);
}

/* ---------- traceability ---------- */

function shareRows(obj) {
  return Object.entries(obj || {}).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1])
    .map(([k, v]) => [k, num(v, 4), el('td', pct(v, 1), 'num')]);
}

async function viewTrace(arg) {
  const [sth, lots] = await Promise.all([api('/api/v1/ledger/sth'), all('lots')]);
  const s = document.getElementById('trace-sth');
  s.replaceChildren();
  const b = section(s, 'Ledger: signed tree head');
  const dl = el('dl', null, 'sth');
  dl.id = 'sth';
  const add = (k, v, id) => { const dd = el('dd', v); if (id) dd.id = id; dl.append(el('dt', k), dd); };
  add('tree size', String(sth.tree_size), 'sth-size');
  add('root (SHA-256, base64)', sth.sha256_root_hash, 'sth-root');
  add('signed at', new Date(sth.timestamp).toISOString());
  add('signature', sth.tree_head_signature, 'sth-sig');
  b.append(dl);

  const lotBox = document.getElementById('trace-lot');
  lotBox.replaceChildren();
  const chosen = arg || '';
  if (chosen) await renderLot(lotBox, chosen);
  else lotBox.append(el('p', 'Choose a lot below to see its provenance and passport.'));

  const l = document.getElementById('trace-lots');
  l.replaceChildren();
  const ls = section(l, 'Lots (' + lots.length + ')');
  ls.append(table('Lots visible to this token, with their material, quantity and origin',
    ['lot', 'material', 'quantity', 'REO (t)', 'region', 'mine', 'commissioned'],
    lots.map(x => {
      const a = link(x.lot, '#/trace/' + encodeURIComponent(x.lot));
      if (x.lot === chosen) a.setAttribute('aria-current', 'true');
      return [a, x.material, fmt(x.quantity, 2) + ' ' + (x.uom || ''), num(x.reo_t, 3), x.region, x.mine,
              x.commissioned_at];
    }), 'lots-table'));
}

async function renderLot(box, lot) {
  const enc = encodeURIComponent(lot);
  const s = section(box, 'Lot ' + lot);
  s.id = 'lot-detail';
  let prov = null, pass = null, desc = null;
  try {
    [prov, pass, desc] = await Promise.all([api('/api/v1/lots/' + enc + '/provenance'),
                                            api('/api/v1/lots/' + enc + '/passport'),
                                            api('/api/v1/lots/' + enc + '/descendants')]);
  } catch (e) {
    if (e.status === 401) throw e;
    showProblem('trace', e, 'Lot ' + lot);
    return;
  }
  figures(s.appendChild(el('div', null, 'totals')), [
    ['passport tier', pass.tier],
    ['material', (pass.material && (pass.material.name || pass.material.id)) || prov.lot.material],
    ['REO (t)', fmt(prov.lot.reo_t, 3), prov.lot.reo_t],
    ['origin lots', String((prov.origins || []).length), (prov.origins || []).length],
    ['mass balance', prov.mass_balance_flag ? 'flagged' : 'consistent'],
  ]);
  s.querySelector('.figure b').id = 'passport-tier';
  const p = el('p');
  p.append('Passport: ', link('/api/v1/lots/' + enc + '/passport', '/api/v1/lots/' + enc + '/passport'),
           ' (tier ' + pass.tier + ' for this token; public without a token).');
  s.append(p);
  s.append(table('Origin shares by region', ['region', 'share', 'percent'], shareRows(prov.by_region), 'by-region'));
  s.append(table('Origin shares by mine', ['mine', 'share', 'percent'], shareRows(prov.by_mine), 'by-mine'));
  s.append(table('Origin lots with their share of the rare-earth content and per element',
    ['origin lot', 'material', 'region', 'mine', 'share', 'element shares'],
    (prov.origins || []).map(o => [o.lot, o.material, o.region, o.mine, num(o.share, 4),
      Object.entries(o.element_shares || {}).map(([k, v]) => k + ' ' + pct(v, 1)).join(', ')]), 'origins'));
  s.append(table('Where this lot went: lots made from it, with the fraction of this lot in each',
    ['lot', 'material', 'depth', 'fraction', 'quantity', 'REO (t)'],
    (desc.descendants || []).map(x => [link(x.lot, '#/trace/' + encodeURIComponent(x.lot)), x.material,
      num(x.depth, 0), el('td', pct(x.fraction, 1), 'num'), fmt(x.quantity, 3) + ' ' + (x.uom || ''), num(x.reo_t, 3)]),
    'descendants'));
  if (prov.truncated) s.append(el('p', 'The provenance tree was truncated at the server\'s depth limit.', 'error'));
}

/* ---------- projects ---------- */

async function projectsAll() {
  if (!projectsCache) projectsCache = await all('projects');
  return projectsCache;
}

function renderProjectList(projects) {
  const st = document.getElementById('filter-pstage').value, se = document.getElementById('filter-sector').value;
  const rows = projects.filter(p => (!st || p.stage === st) && (!se || p.sector === se))
    .map(p => [String(p.id), link(p.title, '#/projects/' + p.id), label(p.stage), p.sector, p.region,
               num(p.financing_need_cny, 0), p.sponsor]);
  document.getElementById('projects-list').replaceChildren(table(
    'Projects' + (st ? ' at stage ' + label(st) : '') + (se ? ' in sector ' + se : '') + ' (' + rows.length + ')',
    ['#', 'title', 'stage', 'sector', 'region', 'financing need (CNY)', 'sponsor'], rows, 'projects-table'));
}

async function renderProjectDetail(id) {
  const box = document.getElementById('project-detail');
  box.replaceChildren();
  if (!id) return;
  const [p, tl, srs] = await Promise.all([api('/api/v1/projects/' + id), all('projects/' + id + '/timeline'),
                                         all('service-requests?project=' + id)]);
  const s = section(box, 'Project ' + p.id + ': ' + p.title);
  s.id = 'project-' + p.id;
  figures(s.appendChild(el('div', null, 'totals')), [
    ['stage', label(p.stage) + (p.held_stage ? ' (held at ' + label(p.held_stage) + ')' : '')],
    ['sector', p.sector], ['region', p.region || '—'],
    ['financing need (CNY)', fmt(p.financing_need_cny, 0), p.financing_need_cny],
    ['sponsor', p.sponsor],
  ]);
  s.append(table('Timeline of project ' + p.id + ' (oldest first)', ['time', 'kind', 'actor', 'change', 'reason'],
    tl.map(e => [e.time, e.kind, e.actor ? e.actor + ' (' + e.actor_role + ')' : null,
                 e.kind === 'transition' ? label(e.from || '—') + ' → ' + label(e.to) : '', e.reason]), 'timeline'));
  const overdue = srs.filter(r => r.overdue).length;
  s.append(table('Service requests of project ' + p.id + ' (' + srs.length + ', ' + overdue + ' overdue, highlighted)',
    ['#', 'factor', 'provider', 'status', 'due', 'overdue'],
    srs.map(r => ({ cls: r.overdue ? 'overdue' : '', cells: [String(r.id), label(r.factor),
      r.provider || (r.proposed_provider_org ? 'proposed: org ' + r.proposed_provider_org : '—'),
      label(r.status), r.due, r.overdue ? 'OVERDUE' : 'no'] })), 'service-requests'));
}

function renderMetrics(m) {
  const box = document.getElementById('projects-metrics');
  box.replaceChildren();
  const s = section(box, 'Lifecycle metrics');
  const ttm = m.time_to_market || [];
  const allT = ttm.find(x => x.dimension === 'all') || {};
  figures(s.appendChild(el('div', null, 'totals')), [
    ['time to market, median (days)', fmt(allT.median_days, 1), allT.median_days],
    ['time to market, p90 (days)', fmt(allT.p90_days, 1), allT.p90_days],
    ['projects reaching market', String(allT.n || 0), allT.n || 0],
    ['service requests', String(m.service_requests), m.service_requests],
  ]);
  s.querySelectorAll('.figure b')[0].id = 'ttm-median';
  s.querySelectorAll('.figure b')[1].id = 'ttm-p90';
  s.append(table('Time to market by sector and region (days, percentiles ' + (m.percentile || '') + ')',
    ['dimension', 'key', 'projects', 'median', 'p90'],
    ttm.map(x => [x.dimension, x.key || 'all', num(x.n, 0), num(x.median_days, 1), num(x.p90_days, 1)]), 'ttm'));
  s.append(table('Days spent per stage (all projects)', ['stage', 'projects', 'median', 'p90'],
    (m.cycle_time || []).filter(x => x.dimension === 'all')
      .map(x => [label(x.stage), num(x.n, 0), num(x.median_days, 1), num(x.p90_days, 1)]), 'cycle-time'));
  s.append(table('SLA breach rate by factor', ['factor', 'requests', 'decided', 'breached', 'open overdue', 'breach rate'],
    (m.sla_by_factor || []).map(x => [label(x.factor), num(x.requests, 0), num(x.decided, 0), num(x.breached, 0),
      num(x.open_overdue, 0), el('td', pct(x.breach_rate, 1), 'num')]), 'sla-factor'));
  s.append(table('SLA breach rate by provider', ['provider', 'requests', 'decided', 'breached', 'open overdue', 'breach rate'],
    (m.sla_by_provider || []).map(x => [x.provider || 'no provider yet', num(x.requests, 0), num(x.decided, 0),
      num(x.breached, 0), num(x.open_overdue, 0), el('td', pct(x.breach_rate, 1), 'num')]), 'sla-provider'));
}

async function viewProjects(arg) {
  const [projects, metrics] = await Promise.all([projectsAll(), api('/api/v1/metrics/lifecycle')]);
  const counts = {};
  for (const p of projects) counts[p.stage] = (counts[p.stage] || 0) + 1;
  const stages = PSTAGES.concat(Object.keys(counts).filter(s => !PSTAGES.includes(s)));
  const pipe = document.getElementById('projects-pipeline');
  pipe.replaceChildren();
  const s = section(pipe, 'Pipeline by stage (' + projects.length + ' projects)');
  s.append(table('Projects per stage, in stage order', ['stage', 'projects'],
    stages.map(st => ({ cls: 'stage-' + st, cells: [link(label(st), '#/projects'), num(counts[st] || 0, 0)] })),
    'pipeline'));
  s.querySelectorAll('#pipeline a').forEach((a, i) => {
    a.onclick = (ev) => { ev.preventDefault(); document.getElementById('filter-pstage').value = stages[i]; renderProjectList(projects); };
  });
  const fs = document.getElementById('filter-pstage'), fsec = document.getElementById('filter-sector');
  if (fs.options.length === 1) {
    for (const st of stages) { const o = el('option', label(st)); o.value = st; fs.append(o); }
    for (const se of [...new Set(projects.map(p => p.sector))].sort()) { const o = el('option', se); o.value = se; fsec.append(o); }
  }
  fs.onchange = fsec.onchange = () => renderProjectList(projects);
  renderProjectList(projects);
  renderMetrics(metrics);
  await renderProjectDetail(arg);
}

/* ---------- investors ---------- */

function criteriaList(ex) {
  const ul = el('ul', null, 'reasons');
  for (const c of ex.criteria || [])
    ul.append(el('li', (c.matched ? '✓ ' : (c.points ? '½ ' : '✗ ')) + c.criterion + ' +' + c.points + ': ' + c.detail));
  return ul;
}

async function renderMatches(id) {
  const box = document.getElementById('investor-matches');
  box.replaceChildren();
  if (!id) { box.append(el('p', 'Choose a project to rank the investors\' mandates for it.')); return; }
  const m = await api('/api/v1/projects/' + id + '/investor-matches?limit=20');
  const s = section(box, 'Investor matches for project ' + id);
  s.id = 'matches-' + id;
  s.append(el('p', m.plan_run ? 'Bottleneck bonus from plan run #' + m.plan_run + ' (' + m.bottlenecks + ' bottleneck facilities).'
                              : 'No plan run stored: no bottleneck bonus (run a plan first).', 'note'));
  s.append(table('Mandates ranked for project ' + id + ', best score first, with the score explained',
    ['rank', 'investor', 'mandate', 'score', 'criteria', 'bottleneck bonus'],
    (m.items || []).map((x, i) => {
      const bn = x.explanation && x.explanation.bottleneck;
      const td = el('td', null, bn ? 'bonus' : '');
      if (bn) {
        td.append(el('b', '+' + fmt(bn.bonus, 1) + ' points'),
                  document.createTextNode(' — bottleneck #' + bn.rank + ' ' + bn.facility + ', dual value ' +
                                          fmt(bn.dual, 2) + ' CNY/t: ' + bn.detail));
        td.dataset.dual = String(bn.dual);
      } else td.textContent = 'none';
      const ctd = el('td'); ctd.append(criteriaList(x.explanation || {}));
      return [String(i + 1), x.investor, x.mandate, num(x.score, 1), ctd, td];
    }), 'matches-table'));
}

async function viewInvestors(arg) {
  const projects = await projectsAll();
  const sel = document.getElementById('investor-project');
  if (sel.options.length === 1) {
    for (const p of projects) { const o = el('option', p.id + ' · ' + p.title); o.value = String(p.id); sel.append(o); }
    sel.onchange = () => { location.hash = '#/investors/' + sel.value; };
  }
  sel.value = arg || '';
  const deals = await all('deals');
  const counts = {};
  for (const d of deals) counts[d.stage] = (counts[d.stage] || 0) + 1;
  const db = document.getElementById('deals');
  db.replaceChildren();
  const s = section(db, 'Deals by stage (' + deals.length + ')');
  const stages = DEAL_STAGES.concat(Object.keys(counts).filter(x => !DEAL_STAGES.includes(x)));
  s.append(table('Deals per stage', ['stage', 'deals'], stages.map(st => [label(st), num(counts[st] || 0, 0)]), 'deal-stages'));
  s.append(table('Deals', ['#', 'project', 'investor', 'stage', 'amount (CNY)', 'updated'],
    deals.map(d => [String(d.id), link(d.project, '#/investors/' + d.project_id), d.investor, label(d.stage),
                    num(d.amount_cny, 0), d.updated]), 'deals-table'));
  const mb = document.getElementById('mandates');
  mb.replaceChildren();
  if (!caps.mandates) mb.append(el('p', 'This token cannot see mandates: ' + caps.why.mandates + '.', 'note'));
  else {
    const mandates = await all('mandates');
    const ms = section(mb, 'Mandates (' + mandates.length + ')');
    ms.append(table('Investor mandates: what each investor looks for', ['#', 'investor', 'mandate', 'sectors', 'stages',
      'regions', 'ticket (CNY)', 'active'],
      mandates.map(m => [String(m.id), m.investor, m.name, (m.sectors || []).join(', ') || 'any',
        (m.stages || []).map(label).join(', ') || 'any', (m.regions || []).join(', ') || 'any',
        fmt(m.ticket_min_cny, 0) + ' – ' + fmt(m.ticket_max_cny, 0), m.active ? 'yes' : 'no']), 'mandates-table'));
  }
  await renderMatches(arg);
}

/* ---------- shell ---------- */

const RENDER = { corridor: viewCorridor, market: viewMarket, plan: viewPlan, trace: viewTrace,
                 projects: viewProjects, investors: viewInvestors };
const TITLES = { corridor: 'the corridor', market: 'the market', plan: 'the plan', trace: 'traceability',
                 projects: 'the projects', investors: 'the investors' };

async function show() {
  if (!token) return;
  const { view, arg } = route();
  document.getElementById('login').hidden = true;
  document.getElementById('nav').hidden = false;
  for (const v of VIEWS) document.getElementById(v).hidden = v !== view;
  for (const a of document.querySelectorAll('#nav a'))
    if (a.dataset.view === view) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  clearProblem(view);
  document.body.dataset.view = view;
  delete document.body.dataset.ready;
  await guarded(view, 'Could not load ' + TITLES[view], () => RENDER[view](arg));
  document.body.dataset.ready = view;
}

// What the token's role can read: plans (operators, auditors) and mandates
// (investors, operators): GET /api/v1/me names the role; mandates are asked.
async function probe() {
  const st = async (path, key) => {
    try { await api(path); return 200; } catch (e) {
      if (e.status === 401) throw e;
      caps.why[key] = e.message;
      return e.status;
    }
  };
  // Plans are read by operators and auditors and run by operators (docs/planning.md).
  const [me, m] = await Promise.all([api('/api/v1/me'), st('/api/v1/mandates?limit=1', 'mandates')]);
  caps.role = me.role;
  caps.plans = me.role === 'operator' || me.role === 'auditor';
  caps.planRun = me.role === 'operator';
  if (!caps.plans) caps.why.plans = 'plans are read by operators and auditors';
  if (!caps.planRun) caps.why.planRun = 'plans are run by operators';
  caps.mandates = m !== 403;
  document.querySelector('#nav a[data-view="plan"]').hidden = !caps.plans;
  document.getElementById('plan-form').hidden = !caps.plans;
  document.getElementById('plan-run-controls').hidden = !caps.planRun;
}

async function load() {
  try { await probe(); } catch (e) {
    if (e.status === 401) return signOut('That token was not accepted: ' + e.message);
    return showLogin('Could not reach the API: ' + e.message);
  }
  await show();
}

function showLogin(msg) {
  for (const v of VIEWS) document.getElementById(v).hidden = true;
  document.getElementById('nav').hidden = true;
  document.getElementById('login').hidden = false;
  document.getElementById('login-error').textContent = msg || '';
}

function signOut(msg) {
  localStorage.removeItem('lodestone.token');
  token = null; corridorLoaded = false; projectsCache = null;
  showLogin(msg);
}

document.getElementById('token-form').onsubmit = (ev) => {
  ev.preventDefault();
  token = document.getElementById('token-input').value.trim();
  localStorage.setItem('lodestone.token', token);
  load();
};
document.getElementById('sign-out').onclick = () => signOut();
document.getElementById('match-form').onsubmit = startMatchRun;
document.getElementById('plan-form').onsubmit = runPlan;
window.addEventListener('hashchange', () => {
  if (/token=/.test(location.hash)) { token = readToken(); load(); } else show();
});

token = readToken();
if (token) load(); else showLogin();
