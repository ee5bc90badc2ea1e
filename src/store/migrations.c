/*
 * migrations.c — the schema, as an append-only list of versioned steps.
 * A step, once released, is never edited: change the schema by adding one.
 * Quantities are integers in thousandths of their unit (`_milli`), money in
 * cents of its currency (`_cents`), times RFC 3339 UTC text.
 * material_content.{oxide,metal}_t_per_t are tonnes per one unit of the
 * material's `unit` (per tonne when the unit is 't', per piece for 'unit').
 */
#include <stddef.h>
#include "store_int.h"

static const char *const v1[] = {
    "CREATE TABLE meta (\n"
    "  key TEXT PRIMARY KEY,\n"
    "  value TEXT NOT NULL\n"
    ");\n",
    "CREATE TABLE regions (\n"
    "  id TEXT PRIMARY KEY,\n"
    "  name TEXT NOT NULL,\n"
    "  name_zh TEXT,\n"
    "  country TEXT NOT NULL,\n"
    "  province TEXT,\n"
    "  city TEXT,\n"
    "  district TEXT,\n"
    "  lat REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),\n"
    "  lon REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),\n"
    "  role TEXT NOT NULL,\n"
    "  description TEXT\n"
    ");\n",
    "CREATE TABLE elements (\n"
    "  symbol TEXT PRIMARY KEY,\n"
    "  name TEXT NOT NULL,\n"
    "  oxide TEXT NOT NULL,\n"
    "  metal_per_oxide REAL NOT NULL CHECK (metal_per_oxide > 0 AND metal_per_oxide <= 1),\n"
    "  export_controlled INTEGER NOT NULL DEFAULT 0,\n"
    "  source TEXT NOT NULL\n"
    ");\n",
    "CREATE TABLE stages (\n"
    "  id TEXT PRIMARY KEY,\n"
    "  name TEXT NOT NULL,\n"
    "  ord INTEGER NOT NULL UNIQUE,\n"
    "  description TEXT\n"
    ");\n",
    "CREATE TABLE materials (\n"
    "  id TEXT PRIMARY KEY,\n"
    "  name TEXT NOT NULL,\n"
    "  stage_id TEXT NOT NULL REFERENCES stages(id),\n"
    "  kind TEXT NOT NULL,\n"
    "  unit TEXT NOT NULL,\n"
    "  unit_mass_kg REAL CHECK (unit_mass_kg IS NULL OR unit_mass_kg > 0),\n"
    "  formula TEXT,\n"
    "  spec TEXT,\n"
    "  export_controlled INTEGER NOT NULL DEFAULT 0,\n"
    "  description TEXT,\n"
    "  source TEXT\n"
    ");\n",
    "CREATE INDEX materials_stage ON materials(stage_id, id);\n",
    "CREATE TABLE material_content (\n"
    "  material_id TEXT NOT NULL REFERENCES materials(id) ON DELETE CASCADE,\n"
    "  element TEXT NOT NULL,\n"
    "  oxide TEXT NOT NULL,\n"
    "  oxide_t_per_t REAL NOT NULL CHECK (oxide_t_per_t >= 0 AND oxide_t_per_t <= 1.5),\n"
    "  metal_t_per_t REAL NOT NULL DEFAULT 0 CHECK (metal_t_per_t >= 0),\n"
    "  source TEXT,\n"
    "  PRIMARY KEY (material_id, element)\n"
    ");\n",
    "CREATE TABLE recipes (\n"
    "  id TEXT PRIMARY KEY,\n"
    "  name TEXT NOT NULL,\n"
    "  stage_id TEXT NOT NULL REFERENCES stages(id),\n"
    "  output_material_id TEXT NOT NULL REFERENCES materials(id),\n"
    "  output_qty REAL NOT NULL CHECK (output_qty > 0),\n"
    "  lead_time_days REAL NOT NULL DEFAULT 0,\n"
    "  yield REAL NOT NULL DEFAULT 1 CHECK (yield > 0 AND yield <= 1),\n"
    "  yield_source TEXT,\n"
    "  lead_time_source TEXT,\n"
    "  description TEXT,\n"
    "  source TEXT\n"
    ");\n",
    "CREATE INDEX recipes_output ON recipes(output_material_id);\n",
    "CREATE TABLE recipe_inputs (\n"
    "  recipe_id TEXT NOT NULL REFERENCES recipes(id) ON DELETE CASCADE,\n"
    "  material_id TEXT NOT NULL REFERENCES materials(id),\n"
    "  qty REAL NOT NULL CHECK (qty > 0),\n"
    "  PRIMARY KEY (recipe_id, material_id)\n"
    ");\n",
    "CREATE TABLE recipe_outputs (\n"
    "  recipe_id TEXT NOT NULL REFERENCES recipes(id) ON DELETE CASCADE,\n"
    "  material_id TEXT NOT NULL REFERENCES materials(id),\n"
    "  qty REAL NOT NULL CHECK (qty > 0),\n"
    "  PRIMARY KEY (recipe_id, material_id)\n"
    ");\n",
    "CREATE TABLE orgs (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL UNIQUE,\n"
    "  name_zh TEXT,\n"
    "  kind TEXT NOT NULL,\n"
    "  category TEXT,\n"
    "  stage_id TEXT REFERENCES stages(id),\n"
    "  region_id TEXT NOT NULL REFERENCES regions(id),\n"
    "  description TEXT,\n"
    "  website TEXT,\n"
    "  synthetic INTEGER NOT NULL DEFAULT 0,\n"
    "  created_at TEXT NOT NULL\n"
    ");\n",
    "CREATE INDEX orgs_region ON orgs(region_id, id);\n",
    "CREATE INDEX orgs_stage ON orgs(stage_id, id);\n",
    "CREATE INDEX orgs_kind ON orgs(kind, id);\n",
    "CREATE TABLE facilities (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  org_id INTEGER NOT NULL REFERENCES orgs(id),\n"
    "  name TEXT NOT NULL,\n"
    "  region_id TEXT NOT NULL REFERENCES regions(id),\n"
    "  stage_id TEXT NOT NULL REFERENCES stages(id),\n"
    "  material_id TEXT REFERENCES materials(id),\n"
    "  capacity_milli INTEGER NOT NULL CHECK (capacity_milli >= 0),\n"
    "  capacity_unit TEXT NOT NULL,\n"
    "  lat REAL CHECK (lat BETWEEN -90 AND 90),\n"
    "  lon REAL CHECK (lon BETWEEN -180 AND 180),\n"
    "  synthetic INTEGER NOT NULL DEFAULT 0,\n"
    "  created_at TEXT NOT NULL\n"
    ");\n",
    "CREATE INDEX facilities_org ON facilities(org_id, id);\n",
    "CREATE INDEX facilities_region ON facilities(region_id, id);\n",
    "CREATE INDEX facilities_stage ON facilities(stage_id, id);\n",
    "CREATE TABLE offers (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  org_id INTEGER NOT NULL REFERENCES orgs(id),\n"
    "  material_id TEXT NOT NULL REFERENCES materials(id),\n"
    "  region_id TEXT NOT NULL REFERENCES regions(id),\n"
    "  quantity_milli INTEGER NOT NULL CHECK (quantity_milli > 0),\n"
    "  unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents >= 0),\n"
    "  currency TEXT NOT NULL DEFAULT 'CNY',\n"
    "  period_from TEXT NOT NULL,\n"
    "  period_to TEXT NOT NULL CHECK (period_to >= period_from),\n"
    "  purity REAL CHECK (purity IS NULL OR (purity >= 0 AND purity <= 1)),\n"
    "  status TEXT NOT NULL DEFAULT 'open',\n"
    "  synthetic INTEGER NOT NULL DEFAULT 0,\n"
    "  created_at TEXT NOT NULL\n"
    ");\n",
    "CREATE INDEX offers_material ON offers(material_id, id);\n",
    "CREATE INDEX offers_org ON offers(org_id, id);\n",
    "CREATE TABLE requests (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  org_id INTEGER NOT NULL REFERENCES orgs(id),\n"
    "  material_id TEXT NOT NULL REFERENCES materials(id),\n"
    "  region_id TEXT NOT NULL REFERENCES regions(id),\n"
    "  quantity_milli INTEGER NOT NULL CHECK (quantity_milli > 0),\n"
    "  max_unit_price_cents INTEGER NOT NULL CHECK (max_unit_price_cents >= 0),\n"
    "  currency TEXT NOT NULL DEFAULT 'CNY',\n"
    "  due_period TEXT NOT NULL,\n"
    "  min_purity REAL CHECK (min_purity IS NULL OR (min_purity >= 0 AND min_purity <= 1)),\n"
    "  status TEXT NOT NULL DEFAULT 'open',\n"
    "  synthetic INTEGER NOT NULL DEFAULT 0,\n"
    "  created_at TEXT NOT NULL\n"
    ");\n",
    "CREATE INDEX requests_material ON requests(material_id, id);\n",
    "CREATE INDEX requests_org ON requests(org_id, id);\n",
    "CREATE TABLE tokens (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  hash BLOB NOT NULL UNIQUE,\n"
    "  org_id INTEGER NOT NULL REFERENCES orgs(id),\n"
    "  role TEXT NOT NULL CHECK (role IN ('operator','member','investor','provider','auditor')),\n"
    "  label TEXT,\n"
    "  created_at TEXT NOT NULL,\n"
    "  revoked_at TEXT\n"
    ");\n",
    NULL,
};

static const char *const v2[] = {
    "CREATE TABLE idempotency_keys (\n"
    "  org_id INTEGER NOT NULL REFERENCES orgs(id),\n"
    "  key TEXT NOT NULL,\n"
    "  request_hash BLOB NOT NULL,\n"
    "  status INTEGER NOT NULL,\n"
    "  body TEXT NOT NULL,\n"
    "  location TEXT,\n"
    "  created_at TEXT NOT NULL,\n"
    "  PRIMARY KEY (org_id, key)\n"
    ");\n",
    NULL,
};

static const char *const v3[] = {
    /* Planning inputs: a forecast of end products per region and period,
     * mining/separation quotas per enterprise and year (t REO), return flows
     * of scrap, named scenarios with their shocks, and plan runs. */
    "CREATE TABLE plan_forecast (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  material_id TEXT NOT NULL REFERENCES materials(id),\n"
    "  region_id TEXT NOT NULL REFERENCES regions(id),\n"
    "  period TEXT NOT NULL,\n"
    "  quantity_milli INTEGER NOT NULL CHECK (quantity_milli >= 0),\n"
    "  source TEXT,\n"
    "  synthetic INTEGER NOT NULL DEFAULT 0,\n"
    "  UNIQUE (material_id, region_id, period)\n"
    ");\n",
    "CREATE TABLE plan_quotas (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  org_id INTEGER NOT NULL REFERENCES orgs(id),\n"
    "  kind TEXT NOT NULL CHECK (kind IN ('mining','separation')),\n"
    "  year INTEGER NOT NULL,\n"
    "  quota_milli INTEGER NOT NULL CHECK (quota_milli >= 0),\n"
    "  source TEXT,\n"
    "  synthetic INTEGER NOT NULL DEFAULT 0,\n"
    "  UNIQUE (org_id, kind, year)\n"
    ");\n",
    "CREATE TABLE plan_returns (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  material_id TEXT NOT NULL REFERENCES materials(id),\n"
    "  region_id TEXT NOT NULL REFERENCES regions(id),\n"
    "  period TEXT NOT NULL,\n"
    "  quantity_milli INTEGER NOT NULL CHECK (quantity_milli >= 0),\n"
    "  source TEXT,\n"
    "  synthetic INTEGER NOT NULL DEFAULT 0,\n"
    "  UNIQUE (material_id, region_id, period)\n"
    ");\n",
    "CREATE TABLE plan_scenarios (\n"
    "  name TEXT PRIMARY KEY,\n"
    "  description TEXT,\n"
    "  synthetic INTEGER NOT NULL DEFAULT 0\n"
    ");\n",
    "CREATE TABLE plan_shocks (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  scenario TEXT NOT NULL REFERENCES plan_scenarios(name) ON DELETE CASCADE,\n"
    "  kind TEXT NOT NULL CHECK (kind IN ('facility_offline','supply_cut','demand_change',"
    "'licence_periods','capacity_change')),\n"
    "  target TEXT NOT NULL,\n"
    "  value REAL NOT NULL DEFAULT 0\n"
    ");\n",
    "CREATE INDEX plan_shocks_scenario ON plan_shocks(scenario, id);\n",
    "CREATE TABLE plan_runs (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  scenario TEXT NOT NULL,\n"
    "  created_at TEXT NOT NULL,\n"
    "  status TEXT NOT NULL,\n"
    "  objective REAL,\n"
    "  result_json TEXT\n"
    ");\n",
    NULL,
};

static const char *const v4[] = {
    /* Market: external references of uploaded offers/requests, logistics
     * lanes, and stored match runs (one row per allocation line, unmet
     * request and dual price, each carrying the organisations involved so
     * that confidentiality is a WHERE clause). */
    "ALTER TABLE offers ADD COLUMN external_id TEXT;\n",
    "ALTER TABLE requests ADD COLUMN external_id TEXT;\n",
    "CREATE TABLE lanes (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  from_region TEXT NOT NULL REFERENCES regions(id),\n"
    "  to_region TEXT NOT NULL REFERENCES regions(id),\n"
    "  cost_per_unit_cents INTEGER NOT NULL CHECK (cost_per_unit_cents >= 0),\n"
    "  transit_periods INTEGER NOT NULL CHECK (transit_periods >= 0),\n"
    "  currency TEXT NOT NULL DEFAULT 'CNY',\n"
    "  mode TEXT,\n"
    "  description TEXT,\n"
    "  synthetic INTEGER NOT NULL DEFAULT 0,\n"
    "  created_at TEXT NOT NULL\n"
    ");\n",
    "CREATE INDEX lanes_from ON lanes(from_region, to_region, id);\n",
    "CREATE TABLE match_runs (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  material_id TEXT REFERENCES materials(id),\n"
    "  run_by_org INTEGER NOT NULL REFERENCES orgs(id),\n"
    "  run_by_role TEXT NOT NULL,\n"
    "  created_at TEXT NOT NULL,\n"
    "  n_offers INTEGER NOT NULL,\n"
    "  n_requests INTEGER NOT NULL,\n"
    "  n_lanes INTEGER NOT NULL,\n"
    "  n_pairs INTEGER NOT NULL,\n"
    "  supply_milli INTEGER NOT NULL,\n"
    "  demand_milli INTEGER NOT NULL,\n"
    "  matched_milli INTEGER NOT NULL,\n"
    "  unmet_milli INTEGER NOT NULL,\n"
    "  total_cost_cents INTEGER NOT NULL,\n"
    "  goods_cost_cents INTEGER NOT NULL\n"
    ");\n",
    "CREATE TABLE match_lines (\n"
    "  run_id INTEGER NOT NULL REFERENCES match_runs(id) ON DELETE CASCADE,\n"
    "  line_no INTEGER NOT NULL,\n"
    "  offer_id INTEGER NOT NULL REFERENCES offers(id),\n"
    "  request_id INTEGER NOT NULL REFERENCES requests(id),\n"
    "  offer_org INTEGER NOT NULL REFERENCES orgs(id),\n"
    "  request_org INTEGER NOT NULL REFERENCES orgs(id),\n"
    "  material_id TEXT NOT NULL,\n"
    "  from_region TEXT NOT NULL,\n"
    "  to_region TEXT NOT NULL,\n"
    "  quantity_milli INTEGER NOT NULL CHECK (quantity_milli > 0),\n"
    "  ship_period TEXT NOT NULL,\n"
    "  transit_periods INTEGER NOT NULL,\n"
    "  unit_price_cents INTEGER NOT NULL,\n"
    "  logistics_cents INTEGER NOT NULL,\n"
    "  line_total_cents INTEGER NOT NULL,\n"
    "  licence_required INTEGER NOT NULL DEFAULT 0,\n"
    "  licence_lead_periods INTEGER NOT NULL DEFAULT 0,\n"
    "  PRIMARY KEY (run_id, line_no)\n"
    ");\n",
    "CREATE INDEX match_lines_offer_org ON match_lines(offer_org, run_id);\n",
    "CREATE INDEX match_lines_request_org ON match_lines(request_org, run_id);\n",
    "CREATE TABLE match_unmet (\n"
    "  run_id INTEGER NOT NULL REFERENCES match_runs(id) ON DELETE CASCADE,\n"
    "  request_id INTEGER NOT NULL REFERENCES requests(id),\n"
    "  request_org INTEGER NOT NULL REFERENCES orgs(id),\n"
    "  material_id TEXT NOT NULL,\n"
    "  region_id TEXT NOT NULL,\n"
    "  due_period TEXT NOT NULL,\n"
    "  requested_milli INTEGER NOT NULL,\n"
    "  unmet_milli INTEGER NOT NULL,\n"
    "  reason TEXT NOT NULL,\n"
    "  PRIMARY KEY (run_id, request_id)\n"
    ");\n",
    "CREATE TABLE match_duals (\n"
    "  run_id INTEGER NOT NULL REFERENCES match_runs(id) ON DELETE CASCADE,\n"
    "  region_id TEXT NOT NULL,\n"
    "  material_id TEXT NOT NULL,\n"
    "  period TEXT NOT NULL,\n"
    "  demand_milli INTEGER NOT NULL,\n"
    "  matched_milli INTEGER NOT NULL,\n"
    "  price_cents INTEGER,\n"
    "  PRIMARY KEY (run_id, region_id, material_id, period)\n"
    ");\n",
    NULL,
};

static const char *const v5[] = {
    /* Traceability: EPCIS events and the transparency ledger.  The leaf
     * table holds exactly the bytes hashed (the event's RFC 8785 canonical
     * JSON) and is the one copy of an event's body; epcis_events holds the
     * scalar facts queries filter on, epcis_event_ids one row per EPC or EPC
     * class and role (lds_epcis_role), keyed for MATCH_* lookups.  Times are
     * UTC epoch milliseconds here (not text): queries compare them. */
    "CREATE TABLE ledger_leaves (\n"
    "  idx INTEGER PRIMARY KEY CHECK (idx >= 0),\n"
    "  leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32),\n"
    "  data BLOB NOT NULL\n"
    ");\n",
    "CREATE TABLE ledger_sths (\n"
    "  tree_size INTEGER PRIMARY KEY CHECK (tree_size >= 0),\n"
    "  timestamp_ms INTEGER NOT NULL,\n"
    "  root BLOB NOT NULL CHECK (length(root) = 32),\n"
    "  signature BLOB NOT NULL CHECK (length(signature) = 64),\n"
    "  public_key BLOB NOT NULL CHECK (length(public_key) = 32)\n"
    ");\n",
    "CREATE TABLE epcis_captures (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  created_ms INTEGER NOT NULL,\n"
    "  finished_ms INTEGER,\n"
    "  running INTEGER NOT NULL DEFAULT 0,\n"
    "  success INTEGER NOT NULL DEFAULT 0,\n"
    "  error_behaviour TEXT NOT NULL CHECK (error_behaviour IN ('rollback', 'proceed')),\n"
    "  n_events INTEGER NOT NULL DEFAULT 0,\n"
    "  n_stored INTEGER NOT NULL DEFAULT 0,\n"
    "  n_duplicates INTEGER NOT NULL DEFAULT 0,\n"
    "  n_invalid INTEGER NOT NULL DEFAULT 0,\n"
    "  errors_json TEXT,\n"
    "  org_id INTEGER\n"
    ");\n",
    "CREATE TABLE epcis_events (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  event_id TEXT NOT NULL UNIQUE,\n"
    "  type TEXT NOT NULL,\n"
    "  action TEXT,\n"
    "  event_time_ms INTEGER NOT NULL,\n"
    "  tz_offset_min INTEGER NOT NULL,\n"
    "  record_time_ms INTEGER NOT NULL,\n"
    "  biz_step TEXT,\n"
    "  disposition TEXT,\n"
    "  read_point TEXT,\n"
    "  biz_location TEXT,\n"
    "  leaf_idx INTEGER NOT NULL REFERENCES ledger_leaves(idx),\n"
    "  capture_id INTEGER REFERENCES epcis_captures(id)\n"
    ");\n",
    "CREATE INDEX epcis_events_time ON epcis_events(event_time_ms);\n",
    "CREATE TABLE epcis_event_ids (\n"
    "  uri TEXT NOT NULL,\n"
    "  role INTEGER NOT NULL,\n"
    "  event INTEGER NOT NULL REFERENCES epcis_events(id),\n"
    "  PRIMARY KEY (uri, role, event)\n"
    ") WITHOUT ROWID;\n",
    NULL,
};

static const char *const v6[] = {
    /* Projects (issue 6): industrial projects carried through stage gates,
     * their participants, materials, capacity, documents and timeline;
     * service providers and service requests; investor mandates and deals.
     * Times here are UTC epoch milliseconds (`_ms`): metrics compare them.
     * Money is CNY cents (`_cents`).  List-valued mandate and provider
     * fields (sectors, stages, regions, materials) are JSON arrays of
     * strings; an empty array means "any".  The stage, factor and status
     * vocabularies are those of include/lodestone/projects.h. */
    "CREATE TABLE projects (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),\n"
    "  sponsor_org INTEGER NOT NULL REFERENCES orgs(id),\n"
    "  sector TEXT NOT NULL,\n"
    "  region_id TEXT NOT NULL REFERENCES regions(id),\n"
    "  stage TEXT NOT NULL CHECK (stage IN ('proposed','permitting','financing',"
    "'technical_validation','pilot_production','talent','market_access','operating',"
    "'on_hold','abandoned')),\n"
    "  held_stage TEXT CHECK (held_stage IS NULL OR stage = 'on_hold'),\n"
    "  stage_since_ms INTEGER NOT NULL,\n"
    "  financing_need_cents INTEGER NOT NULL DEFAULT 0 CHECK (financing_need_cents >= 0),\n"
    "  currency TEXT NOT NULL DEFAULT 'CNY',\n"
    "  description TEXT,\n"
    "  open_to_investors INTEGER NOT NULL DEFAULT 0 CHECK (open_to_investors IN (0,1)),\n"
    "  synthetic INTEGER NOT NULL DEFAULT 0,\n"
    "  created_ms INTEGER NOT NULL,\n"
    "  updated_ms INTEGER NOT NULL\n"
    ");\n",
    "CREATE INDEX projects_stage ON projects(stage, id);\n",
    "CREATE INDEX projects_sector ON projects(sector, id);\n",
    "CREATE INDEX projects_sponsor ON projects(sponsor_org, id);\n",
    "CREATE INDEX projects_region ON projects(region_id, id);\n",
    "CREATE TABLE project_orgs (\n"
    "  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,\n"
    "  org_id INTEGER NOT NULL REFERENCES orgs(id),\n"
    "  role TEXT NOT NULL DEFAULT 'participant',\n"
    "  PRIMARY KEY (project_id, org_id)\n"
    ");\n",
    "CREATE INDEX project_orgs_org ON project_orgs(org_id, project_id);\n",
    "CREATE TABLE project_materials (\n"
    "  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,\n"
    "  material_id TEXT NOT NULL REFERENCES materials(id),\n"
    "  direction TEXT NOT NULL CHECK (direction IN ('uses','produces')),\n"
    "  PRIMARY KEY (project_id, material_id, direction)\n"
    ");\n",
    "CREATE INDEX project_materials_material ON project_materials(material_id, project_id);\n",
    "CREATE TABLE project_capacity (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,\n"
    "  facility_id INTEGER REFERENCES facilities(id),\n"
    "  material_id TEXT NOT NULL REFERENCES materials(id),\n"
    "  region_id TEXT REFERENCES regions(id),\n"
    "  tonnes_milli INTEGER NOT NULL CHECK (tonnes_milli > 0),\n"
    "  per TEXT NOT NULL DEFAULT 'year' CHECK (per IN ('month','year'))\n"
    ");\n",
    "CREATE INDEX project_capacity_project ON project_capacity(project_id, id);\n",
    "CREATE TABLE project_documents (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,\n"
    "  kind TEXT NOT NULL,\n"
    "  title TEXT NOT NULL,\n"
    "  uri TEXT,\n"
    "  sha256 TEXT CHECK (sha256 IS NULL OR length(sha256) = 64),\n"
    "  added_by_org INTEGER NOT NULL REFERENCES orgs(id),\n"
    "  added_ms INTEGER NOT NULL\n"
    ");\n",
    "CREATE INDEX project_documents_project ON project_documents(project_id, kind, id);\n",
    /* The timeline: one row per creation (kind 'transition' from NULL to
     * 'proposed'), stage transition, edit, document and service-request
     * event.  detail_json holds what changed (edits: {field: [old, new]}). */
    "CREATE TABLE project_events (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,\n"
    "  time_ms INTEGER NOT NULL,\n"
    "  actor_org INTEGER REFERENCES orgs(id),\n"
    "  actor_role TEXT,\n"
    "  kind TEXT NOT NULL CHECK (kind IN ('transition','edit','document','service')),\n"
    "  from_stage TEXT,\n"
    "  to_stage TEXT,\n"
    "  reason TEXT,\n"
    "  detail_json TEXT\n"
    ");\n",
    "CREATE INDEX project_events_project ON project_events(project_id, time_ms, id);\n",
    "CREATE INDEX project_events_kind ON project_events(kind, time_ms);\n",
    /* Gate criteria: the data/lifecycle.json document as loaded (one row). */
    "CREATE TABLE project_lifecycle (\n"
    "  id INTEGER PRIMARY KEY CHECK (id = 1),\n"
    "  source TEXT NOT NULL,\n"
    "  json TEXT NOT NULL,\n"
    "  loaded_ms INTEGER NOT NULL\n"
    ");\n",
    /* A provider's declared capability per factor: regions served (JSON
     * array of region ids, [] = any) and how many requests it takes at once. */
    "CREATE TABLE service_providers (\n"
    "  org_id INTEGER NOT NULL REFERENCES orgs(id),\n"
    "  factor TEXT NOT NULL CHECK (factor IN ('permitting','financing','technical_validation',"
    "'pilot_production','talent','market_access','logistics','legal_ip')),\n"
    "  regions_json TEXT NOT NULL DEFAULT '[]',\n"
    "  max_open INTEGER NOT NULL CHECK (max_open > 0),\n"
    "  sla_days INTEGER NOT NULL DEFAULT 30 CHECK (sla_days > 0),\n"
    "  description TEXT,\n"
    "  synthetic INTEGER NOT NULL DEFAULT 0,\n"
    "  created_ms INTEGER NOT NULL,\n"
    "  updated_ms INTEGER NOT NULL,\n"
    "  PRIMARY KEY (org_id, factor)\n"
    ");\n",
    "CREATE INDEX service_providers_factor ON service_providers(factor, org_id);\n",
    "CREATE TABLE service_requests (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,\n"
    "  factor TEXT NOT NULL CHECK (factor IN ('permitting','financing','technical_validation',"
    "'pilot_production','talent','market_access','logistics','legal_ip')),\n"
    "  description TEXT NOT NULL,\n"
    "  provider_org INTEGER REFERENCES orgs(id),\n"
    "  proposed_provider_org INTEGER REFERENCES orgs(id),\n"
    "  proposal_reason TEXT,\n"
    "  status TEXT NOT NULL CHECK (status IN ('open','accepted','in_progress','done',"
    "'rejected','cancelled')),\n"
    "  due_ms INTEGER NOT NULL,\n"
    "  created_by_org INTEGER NOT NULL REFERENCES orgs(id),\n"
    "  created_ms INTEGER NOT NULL CHECK (due_ms >= created_ms),\n"
    "  updated_ms INTEGER NOT NULL,\n"
    "  accepted_ms INTEGER,\n"
    "  started_ms INTEGER,\n"
    "  done_ms INTEGER,\n"
    "  closed_ms INTEGER,\n"
    "  synthetic INTEGER NOT NULL DEFAULT 0\n"
    ");\n",
    "CREATE INDEX service_requests_project ON service_requests(project_id, factor, status);\n",
    "CREATE INDEX service_requests_provider ON service_requests(provider_org, id);\n",
    "CREATE INDEX service_requests_proposed ON service_requests(proposed_provider_org, id);\n",
    "CREATE INDEX service_requests_due ON service_requests(status, due_ms);\n",
    "CREATE TABLE service_request_comments (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  request_id INTEGER NOT NULL REFERENCES service_requests(id) ON DELETE CASCADE,\n"
    "  time_ms INTEGER NOT NULL,\n"
    "  author_org INTEGER NOT NULL REFERENCES orgs(id),\n"
    "  author_role TEXT NOT NULL,\n"
    "  body TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 4000)\n"
    ");\n",
    "CREATE INDEX service_request_comments_request ON service_request_comments(request_id, id);\n",
    /* Investment (written by the investment module): mandates with JSON
     * array criteria, deals per project-investor pair, and the deal
     * timeline recorded like project transitions. */
    "CREATE TABLE mandates (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  investor_org INTEGER NOT NULL REFERENCES orgs(id),\n"
    "  name TEXT NOT NULL,\n"
    "  sectors_json TEXT NOT NULL DEFAULT '[]',\n"
    "  stages_json TEXT NOT NULL DEFAULT '[]',\n"
    "  regions_json TEXT NOT NULL DEFAULT '[]',\n"
    "  materials_json TEXT NOT NULL DEFAULT '[]',\n"
    "  ticket_min_cents INTEGER NOT NULL DEFAULT 0 CHECK (ticket_min_cents >= 0),\n"
    "  ticket_max_cents INTEGER NOT NULL CHECK (ticket_max_cents >= ticket_min_cents),\n"
    "  currency TEXT NOT NULL DEFAULT 'CNY',\n"
    "  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1)),\n"
    "  synthetic INTEGER NOT NULL DEFAULT 0,\n"
    "  created_ms INTEGER NOT NULL,\n"
    "  updated_ms INTEGER NOT NULL\n"
    ");\n",
    "CREATE INDEX mandates_investor ON mandates(investor_org, id);\n",
    "CREATE TABLE deals (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,\n"
    "  investor_org INTEGER NOT NULL REFERENCES orgs(id),\n"
    "  mandate_id INTEGER REFERENCES mandates(id),\n"
    "  stage TEXT NOT NULL CHECK (stage IN ('introduced','diligence','term_sheet','closed',"
    "'declined')),\n"
    "  amount_cents INTEGER CHECK (amount_cents IS NULL OR amount_cents >= 0),\n"
    "  currency TEXT NOT NULL DEFAULT 'CNY',\n"
    "  synthetic INTEGER NOT NULL DEFAULT 0,\n"
    "  created_ms INTEGER NOT NULL,\n"
    "  updated_ms INTEGER NOT NULL,\n"
    "  UNIQUE (project_id, investor_org)\n"
    ");\n",
    "CREATE INDEX deals_investor ON deals(investor_org, id);\n",
    "CREATE TABLE deal_events (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  deal_id INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,\n"
    "  time_ms INTEGER NOT NULL,\n"
    "  actor_org INTEGER REFERENCES orgs(id),\n"
    "  actor_role TEXT,\n"
    "  from_stage TEXT,\n"
    "  to_stage TEXT NOT NULL,\n"
    "  reason TEXT,\n"
    "  detail_json TEXT\n"
    ");\n",
    "CREATE INDEX deal_events_deal ON deal_events(deal_id, time_ms, id);\n",
    NULL,
};

static const char *const v7[] = {
    /* Lineage: lots (an EPC class with lot, keyed by its canonical Digital
     * Link form) recorded from their commissioning event, input -> output
     * edges of TransformationEvents with the input quantity consumed, and
     * the product-class registry (GTIN-14 or class pattern -> material).
     * Written in the capture transaction (src/lineage). */
    "CREATE TABLE lots (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  lot TEXT NOT NULL UNIQUE,\n"
    "  material_id TEXT,\n"
    "  grade TEXT,\n"
    "  quantity REAL,\n"
    "  uom TEXT,\n"
    "  location TEXT,\n"
    "  region_id TEXT,\n"
    "  mine TEXT,\n"
    "  org_id INTEGER,\n"
    "  event INTEGER NOT NULL REFERENCES epcis_events(id),\n"
    "  event_time_ms INTEGER NOT NULL,\n"
    "  is_output INTEGER NOT NULL DEFAULT 0,\n"
    "  mb_flag INTEGER NOT NULL DEFAULT 0,\n"
    "  mb_note TEXT\n"
    ");\n",
    "CREATE INDEX lots_org ON lots(org_id, id);\n",
    "CREATE TABLE lot_edges (\n"
    "  output_lot INTEGER NOT NULL REFERENCES lots(id),\n"
    "  input_lot INTEGER NOT NULL REFERENCES lots(id),\n"
    "  event INTEGER NOT NULL REFERENCES epcis_events(id),\n"
    "  in_qty REAL,\n"
    "  in_uom TEXT,\n"
    "  PRIMARY KEY (output_lot, input_lot, event)\n"
    ") WITHOUT ROWID;\n",
    "CREATE INDEX lot_edges_input ON lot_edges(input_lot, output_lot);\n",
    "CREATE TABLE product_classes (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  pattern TEXT NOT NULL UNIQUE,\n"
    "  gtin TEXT,\n"
    "  material_id TEXT NOT NULL REFERENCES materials(id),\n"
    "  grade TEXT,\n"
    "  org_id INTEGER,\n"
    "  created_at TEXT NOT NULL\n"
    ");\n",
    "CREATE INDEX product_classes_gtin ON product_classes(gtin);\n",
    NULL,
};

static const char *const v8[] = {
    /* Incremental matching: every change to the records a match run reads is
     * logged by triggers (whichever connection or process makes it), so a
     * server's kept match session applies exactly the offers and requests
     * changed since its last run, warm, and rebuilds when lanes or the
     * catalog's export control / country changed.  market_instance names the
     * database for the process-wide session cache.  Runs record how they
     * were solved. */
    "CREATE TABLE market_instance (\n"
    "  id INTEGER PRIMARY KEY CHECK (id = 1),\n"
    "  token TEXT NOT NULL\n"
    ");\n",
    "INSERT INTO market_instance(id, token) VALUES (1, lower(hex(randomblob(16))));\n",
    "CREATE TABLE market_changes (\n"
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  kind TEXT NOT NULL CHECK (kind IN ('offer', 'request', 'lane', 'catalog')),\n"
    "  record_id INTEGER\n"
    ");\n",
    "CREATE TRIGGER market_offers_ins AFTER INSERT ON offers BEGIN\n"
    "  INSERT INTO market_changes(kind, record_id) VALUES ('offer', NEW.id);\n"
    "END;\n",
    "CREATE TRIGGER market_offers_upd AFTER UPDATE ON offers BEGIN\n"
    "  INSERT INTO market_changes(kind, record_id) VALUES ('offer', NEW.id);\n"
    "  INSERT INTO market_changes(kind, record_id) SELECT 'offer', OLD.id WHERE OLD.id != NEW.id;\n"
    "END;\n",
    "CREATE TRIGGER market_offers_del AFTER DELETE ON offers BEGIN\n"
    "  INSERT INTO market_changes(kind, record_id) VALUES ('offer', OLD.id);\n"
    "END;\n",
    "CREATE TRIGGER market_requests_ins AFTER INSERT ON requests BEGIN\n"
    "  INSERT INTO market_changes(kind, record_id) VALUES ('request', NEW.id);\n"
    "END;\n",
    "CREATE TRIGGER market_requests_upd AFTER UPDATE ON requests BEGIN\n"
    "  INSERT INTO market_changes(kind, record_id) VALUES ('request', NEW.id);\n"
    "  INSERT INTO market_changes(kind, record_id) SELECT 'request', OLD.id WHERE OLD.id != NEW.id;\n"
    "END;\n",
    "CREATE TRIGGER market_requests_del AFTER DELETE ON requests BEGIN\n"
    "  INSERT INTO market_changes(kind, record_id) VALUES ('request', OLD.id);\n"
    "END;\n",
    "CREATE TRIGGER market_lanes_ins AFTER INSERT ON lanes BEGIN\n"
    "  INSERT INTO market_changes(kind) VALUES ('lane');\n"
    "END;\n",
    "CREATE TRIGGER market_lanes_upd AFTER UPDATE ON lanes BEGIN\n"
    "  INSERT INTO market_changes(kind) VALUES ('lane');\n"
    "END;\n",
    "CREATE TRIGGER market_lanes_del AFTER DELETE ON lanes BEGIN\n"
    "  INSERT INTO market_changes(kind) VALUES ('lane');\n"
    "END;\n",
    "CREATE TRIGGER market_materials_upd AFTER UPDATE OF export_controlled ON materials BEGIN\n"
    "  INSERT INTO market_changes(kind) VALUES ('catalog');\n"
    "END;\n",
    "CREATE TRIGGER market_regions_upd AFTER UPDATE OF country ON regions BEGIN\n"
    "  INSERT INTO market_changes(kind) VALUES ('catalog');\n"
    "END;\n",
    "ALTER TABLE match_runs ADD COLUMN solve_mode TEXT CHECK (solve_mode IN ('warm', 'cold'));\n",
    "ALTER TABLE match_runs ADD COLUMN solve_us INTEGER;\n",
    "ALTER TABLE match_runs ADD COLUMN solve_changes INTEGER;\n",
    "ALTER TABLE match_runs ADD COLUMN solve_note TEXT;\n",
    NULL,
};

static const char *const v9[] = {
    /* Match runs: the engine's CPU time (thread) beside its wall time. */
    "ALTER TABLE match_runs ADD COLUMN solve_cpu_us INTEGER;\n",
    NULL,
};

static const char *const v10[] = {
    /* Match lines are only ever read by run (the primary key's prefix); the
     * two organisation indexes took each new run's lines to random places
     * across every earlier run's, which was half of a warm run's cost (WAL
     * writes and page reads, about 90 ms at 14,000 lines). */
    "DROP INDEX match_lines_offer_org;\n",
    "DROP INDEX match_lines_request_org;\n",
    NULL,
};

static const char *const v11[] = {
    /* Each change-log row gets a random stamp: a kept match session
     * remembers the stamp of the last row it applied, so a session that saw
     * changes later rolled back (their sequence numbers then reused by other
     * changes) notices and rebuilds instead of missing those changes. */
    "ALTER TABLE market_changes ADD COLUMN stamp INTEGER;\n",
    "DROP TRIGGER market_offers_ins;\n",
    "CREATE TRIGGER market_offers_ins AFTER INSERT ON offers BEGIN\n"
    "  INSERT INTO market_changes(kind, record_id, stamp) VALUES ('offer', NEW.id, random());\n"
    "END;\n",
    "DROP TRIGGER market_offers_upd;\n",
    "CREATE TRIGGER market_offers_upd AFTER UPDATE ON offers BEGIN\n"
    "  INSERT INTO market_changes(kind, record_id, stamp) VALUES ('offer', NEW.id, random());\n"
    "  INSERT INTO market_changes(kind, record_id, stamp) SELECT 'offer', OLD.id, random()"
    " WHERE OLD.id != NEW.id;\n"
    "END;\n",
    "DROP TRIGGER market_offers_del;\n",
    "CREATE TRIGGER market_offers_del AFTER DELETE ON offers BEGIN\n"
    "  INSERT INTO market_changes(kind, record_id, stamp) VALUES ('offer', OLD.id, random());\n"
    "END;\n",
    "DROP TRIGGER market_requests_ins;\n",
    "CREATE TRIGGER market_requests_ins AFTER INSERT ON requests BEGIN\n"
    "  INSERT INTO market_changes(kind, record_id, stamp)"
    " VALUES ('request', NEW.id, random());\n"
    "END;\n",
    "DROP TRIGGER market_requests_upd;\n",
    "CREATE TRIGGER market_requests_upd AFTER UPDATE ON requests BEGIN\n"
    "  INSERT INTO market_changes(kind, record_id, stamp)"
    " VALUES ('request', NEW.id, random());\n"
    "  INSERT INTO market_changes(kind, record_id, stamp) SELECT 'request', OLD.id, random()"
    " WHERE OLD.id != NEW.id;\n"
    "END;\n",
    "DROP TRIGGER market_requests_del;\n",
    "CREATE TRIGGER market_requests_del AFTER DELETE ON requests BEGIN\n"
    "  INSERT INTO market_changes(kind, record_id, stamp)"
    " VALUES ('request', OLD.id, random());\n"
    "END;\n",
    "DROP TRIGGER market_lanes_ins;\n",
    "CREATE TRIGGER market_lanes_ins AFTER INSERT ON lanes BEGIN\n"
    "  INSERT INTO market_changes(kind, record_id, stamp) VALUES ('lane', NULL, random());\n"
    "END;\n",
    "DROP TRIGGER market_lanes_upd;\n",
    "CREATE TRIGGER market_lanes_upd AFTER UPDATE ON lanes BEGIN\n"
    "  INSERT INTO market_changes(kind, record_id, stamp) VALUES ('lane', NULL, random());\n"
    "END;\n",
    "DROP TRIGGER market_lanes_del;\n",
    "CREATE TRIGGER market_lanes_del AFTER DELETE ON lanes BEGIN\n"
    "  INSERT INTO market_changes(kind, record_id, stamp) VALUES ('lane', NULL, random());\n"
    "END;\n",
    "DROP TRIGGER market_materials_upd;\n",
    "CREATE TRIGGER market_materials_upd AFTER UPDATE OF export_controlled ON materials BEGIN\n"
    "  INSERT INTO market_changes(kind, record_id, stamp) VALUES ('catalog', NULL, random());\n"
    "END;\n",
    "DROP TRIGGER market_regions_upd;\n",
    "CREATE TRIGGER market_regions_upd AFTER UPDATE OF country ON regions BEGIN\n"
    "  INSERT INTO market_changes(kind, record_id, stamp) VALUES ('catalog', NULL, random());\n"
    "END;\n",
    NULL,
};

static const char *const v12[] = {
    /* Why short: each unmet request's chain of binding constraints as JSON,
     * in full (operators, readers of everything) and as the request's own
     * org may see it (other orgs' offer ids, orgs and prices left out). */
    "ALTER TABLE match_unmet ADD COLUMN why TEXT;\n",
    "ALTER TABLE match_unmet ADD COLUMN why_member TEXT;\n",
    NULL,
};

static const char *const v13[] = {
    /* Lineage custody: the organisations a lot was shipped to (an event
     * captured by a holder naming the lot, with a destinationList entry of
     * the org or one of its facilities), transitively.  The producer
     * (lots.org_id) holds its lots without a row here.  `event` is the
     * shipping event that first made the org a holder. */
    "CREATE TABLE lot_holders (\n"
    "  lot INTEGER NOT NULL REFERENCES lots(id),\n"
    "  org_id INTEGER NOT NULL,\n"
    "  event INTEGER NOT NULL REFERENCES epcis_events(id),\n"
    "  PRIMARY KEY (lot, org_id)\n"
    ") WITHOUT ROWID;\n",
    NULL,
};

static const char *const v14[] = {
    /* EPCIS eventIDs keyed by a 64-bit integer (lds_key64: the first 8
     * bytes of the ID's SHA-256) in a plain index, instead of the UNIQUE
     * index on the ID text: hash IDs are random, so each 1,000-event
     * document rewrote nearly every page of that index (~36 89-byte keys a
     * page); the integer index holds several times more keys a page.  The
     * code keeps eventIDs unique: it looks up by key and compares the text.
     * Dropping UNIQUE needs the table rebuilt (SQLite's 12-step procedure,
     * foreign keys off: epcis_event_ids, lots, lot_edges and lot_holders
     * reference epcis_events(id), whose values are kept). */
    LDS_STORE__FK_OFF,
    "CREATE TABLE epcis_events_new (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  event_id TEXT NOT NULL,\n"
    "  event_key INTEGER NOT NULL,\n"
    "  type TEXT NOT NULL,\n"
    "  action TEXT,\n"
    "  event_time_ms INTEGER NOT NULL,\n"
    "  tz_offset_min INTEGER NOT NULL,\n"
    "  record_time_ms INTEGER NOT NULL,\n"
    "  biz_step TEXT,\n"
    "  disposition TEXT,\n"
    "  read_point TEXT,\n"
    "  biz_location TEXT,\n"
    "  leaf_idx INTEGER NOT NULL REFERENCES ledger_leaves(idx),\n"
    "  capture_id INTEGER REFERENCES epcis_captures(id)\n"
    ");\n",
    "INSERT INTO epcis_events_new (id, event_id, event_key, type, action, event_time_ms,\n"
    "  tz_offset_min, record_time_ms, biz_step, disposition, read_point, biz_location,\n"
    "  leaf_idx, capture_id)\n"
    "SELECT id, event_id, lds_key64(event_id), type, action, event_time_ms, tz_offset_min,\n"
    "  record_time_ms, biz_step, disposition, read_point, biz_location, leaf_idx, capture_id\n"
    "FROM epcis_events ORDER BY id;\n",
    "DROP TABLE epcis_events;\n",
    "ALTER TABLE epcis_events_new RENAME TO epcis_events;\n",
    "CREATE INDEX epcis_events_time ON epcis_events(event_time_ms);\n",
    "CREATE INDEX epcis_events_key ON epcis_events(event_key);\n",
    NULL,
};

static const char *const v15[] = {
    /* EPCIS eventID keys in two tables instead of an index on
     * epcis_events(event_key): keys are random, so every 1,000-event document
     * rewrote nearly every page of that index, whose size grows with the
     * store (at 300,000 events ~770 of its 1,371 pages a document, most of
     * the WAL).  A capture adds its keys to the small epcis_event_keys_new;
     * every ~16,000 events they are moved in key order, in one statement,
     * to epcis_event_keys, which then takes each page once per batch instead
     * of once per document.  A look-up by eventID probes both tables and
     * compares the text (epcis_events.event_key stays, the same value). */
    "CREATE TABLE epcis_event_keys (\n"
    "  key INTEGER NOT NULL,\n"
    "  event INTEGER NOT NULL,\n"
    "  PRIMARY KEY (key, event)\n"
    ") WITHOUT ROWID;\n",
    "CREATE TABLE epcis_event_keys_new (\n"
    "  key INTEGER NOT NULL,\n"
    "  event INTEGER NOT NULL,\n"
    "  PRIMARY KEY (key, event)\n"
    ") WITHOUT ROWID;\n",
    "INSERT INTO epcis_event_keys (key, event) SELECT event_key, id FROM epcis_events\n"
    "ORDER BY event_key, id;\n",
    "DROP INDEX epcis_events_key;\n",
    NULL,
};

const lds_store__migration lds_store__migrations[] = {
    {1, "foundation: catalog, organisations, facilities, market, tokens", v1},
    {2, "idempotency keys of creating requests", v2},
    {3, "planning: forecast, quotas, return flows, scenarios, plan runs", v3},
    {4, "market: lanes, external ids of offers and requests, match runs", v4},
    {5, "traceability: EPCIS events, identifiers, capture jobs, ledger leaves and tree heads", v5},
    {6, "projects: stage gates, timeline, service providers and requests, mandates, deals", v6},
    {7, "lineage: lots, transformation edges, product classes", v7},
    {8, "market: change log for warm match sessions, how each run was solved", v8},
    {9, "market: CPU time of each match run's solve", v9},
    {10, "market: match lines indexed by run only (a warm run's cost halved)", v10},
    {11, "market: random stamps on the change log (sessions notice rolled-back changes)", v11},
    {12, "market: why-short chains of unmet requests (full and as their org sees them)", v12},
    {13, "lineage: lot holders (custody passed on by shipping events)", v13},
    {14, "traceability: eventIDs keyed by a 64-bit integer (no UNIQUE text index)", v14},
    {15, "traceability: eventID keys staged, then merged in batches", v15},
};

const int lds_store__n_migrations =
    (int)(sizeof lds_store__migrations / sizeof lds_store__migrations[0]);
