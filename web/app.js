// Lodestone corridor page: reads the API with the user's bearer token and
// shows organisations by region and chain stage.  No framework, no CDN.
'use strict';

const STAGES = ['mining', 'separation', 'metal', 'alloy', 'magnet', 'component', 'end_product', 'recycling'];
let token = null;
let orgs = [], regions = [];

function readToken() {
  const m = location.hash.match(/token=([A-Za-z0-9_\-]+)/);
  if (m) {
    localStorage.setItem('lodestone.token', m[1]);
    history.replaceState(null, '', location.pathname);
  }
  return localStorage.getItem('lodestone.token');
}

async function api(path) {
  const res = await fetch(path, { headers: { Authorization: 'Bearer ' + token } });
  const body = await res.json();
  if (!res.ok) {
    const err = new Error(body.detail || res.statusText);
    err.status = res.status;
    throw err;
  }
  return body;
}

async function all(resource) {
  const items = [];
  let next = null;
  do {
    const q = '/api/v1/' + resource + '?limit=500' + (next ? '&next=' + encodeURIComponent(next) : '');
    const page = await api(q);
    items.push(...page.items);
    next = page.next;
  } while (next);
  return items;
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function renderTotals() {
  const box = document.getElementById('totals');
  box.replaceChildren();
  const kinds = {};
  for (const o of orgs) kinds[o.kind] = (kinds[o.kind] || 0) + 1;
  const add = (label, n) => { const d = el('div'); d.append(el('b', String(n)), label); box.append(d); };
  add('organisations', orgs.length);
  add('regions', regions.length);
  for (const [k, n] of Object.entries(kinds).sort()) add(k.replace(/_/g, ' '), n);
}

function renderMatrix() {
  const t = document.getElementById('matrix');
  t.replaceChildren();
  const stages = STAGES.slice();
  for (const o of orgs) if (o.stage_id && !stages.includes(o.stage_id)) stages.push(o.stage_id);
  const head = el('tr');
  head.append(el('th', 'region'));
  for (const s of stages) head.append(el('th', s.replace(/_/g, ' ')));
  head.append(el('th', 'no stage'), el('th', 'total'));
  const thead = el('thead'); thead.append(head); t.append(thead);
  const tbody = el('tbody');
  for (const r of regions) {
    const mine = orgs.filter(o => o.region_id === r.id);
    if (!mine.length) continue;
    const tr = el('tr');
    tr.append(el('th', r.name));
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
  for (const r of regions) { const o = el('option', r.name); o.value = r.id; rs.append(o); }
  const ss = document.getElementById('filter-stage');
  for (const s of STAGES) { const o = el('option', s.replace(/_/g, ' ')); o.value = s; ss.append(o); }
  rs.onchange = ss.onchange = renderOrgs;
}

async function load() {
  try {
    [regions, orgs] = await Promise.all([all('regions'), all('orgs')]);
  } catch (e) {
    if (e.status === 401) { localStorage.removeItem('lodestone.token'); return showLogin('That token was not accepted: ' + e.message); }
    return showLogin('Could not load the corridor: ' + e.message);
  }
  document.getElementById('login').hidden = true;
  document.getElementById('corridor').hidden = false;
  renderTotals(); renderMatrix(); fillFilters(); renderOrgs();
}

function showLogin(msg) {
  document.getElementById('corridor').hidden = true;
  document.getElementById('login').hidden = false;
  document.getElementById('login-error').textContent = msg || '';
}

document.getElementById('token-form').onsubmit = (ev) => {
  ev.preventDefault();
  token = document.getElementById('token-input').value.trim();
  localStorage.setItem('lodestone.token', token);
  load();
};
document.getElementById('sign-out').onclick = () => { localStorage.removeItem('lodestone.token'); token = null; showLogin(); };

token = readToken();
if (token) load(); else showLogin();
