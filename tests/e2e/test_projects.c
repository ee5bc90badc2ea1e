/*
 * test_projects.c — end to end: the fixed forms of POST /api/v1/projects and
 * of transitions, a project walked through its gates (409 with `allowed` and
 * `unmet` until the documents are on file and the permitting request is
 * done), on_hold and resume, the timeline, roles (members, investors,
 * providers, auditors), bad input storing nothing, overdue requests, and
 * the demo's projects.  The harness's member token is organisation 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "harness.h"
#include "server.h"

static lds_test_server srv;
static char org3_member[64], org3_investor[64], auditor[64], bank_provider[64];

static int setup(void **state)
{
    (void)state;
    lds_test_server_start(&srv, "projects.db", NULL);
    lds_test_make_token(&srv, 3, "member", org3_member, sizeof org3_member);
    lds_test_make_token(&srv, 3, "investor", org3_investor, sizeof org3_investor);
    lds_test_make_token(&srv, 1, "auditor", auditor, sizeof auditor);
    /* org 13: the demo's bank */
    lds_test_make_token(&srv, 13, "provider", bank_provider, sizeof bank_provider);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    lds_test_server_stop(&srv);
    return 0;
}

#define CALL(m, p, t, b, s, o) lds_test_call_at(&srv, (m), (p), (t), (b), (s), (o), __LINE__)

static long long jint(json_t *o, const char *k)
{
    return (long long)json_integer_value(json_object_get(o, k));
}

static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static long long create_project(const char *token, const char *body)
{
    lds_http_resp r;
    CALL("POST", "/api/v1/projects", token, body, 201, &r);
    long long id = jint(r.json, "id");
    assert_true(id > 0);
    lds_http_resp_free(&r);
    return id;
}

static void transition(long long id, const char *token, const char *body, long status,
                       lds_http_resp *out, int line)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/projects/%lld/transitions", id);
    lds_test_call_at(&srv, "POST", path, token, body, status, out, line);
}

static void add_doc(long long id, const char *kind)
{
    char path[96], body[160];
    lds_http_resp r;
    snprintf(path, sizeof path, "/api/v1/projects/%lld/documents", id);
    snprintf(body, sizeof body, "{\"kind\":\"%s\",\"title\":\"%s for the test\"}", kind, kind);
    CALL("POST", path, srv.member_token, body, 201, &r);
    assert_string_equal(jstr(r.json, "kind"), kind);
    lds_http_resp_free(&r);
}

static void fixed_form_of_creation(void **state)
{
    (void)state;
    lds_http_resp r;
    CALL("POST", "/api/v1/projects", srv.member_token,
         "{\"title\":\"Sintered magnet line\",\"sponsor_org\":2,\"sector\":\"magnets\"}", 201, &r);
    long long id = jint(r.json, "id");
    assert_true(id > 32); /* after the demo's 32 */
    assert_string_equal(jstr(r.json, "stage"), "proposed");
    assert_string_equal(jstr(r.json, "title"), "Sintered magnet line");
    assert_int_equal(jint(r.json, "sponsor_org"), 2);
    assert_string_equal(jstr(r.json, "region"), "nanshan"); /* the sponsor's */
    char loc[64];
    snprintf(loc, sizeof loc, "/api/v1/projects/%lld", id);
    assert_string_equal(r.location, loc);
    lds_http_resp_free(&r);
    CALL("GET", loc, srv.member_token, NULL, 200, &r);
    assert_int_equal(jint(r.json, "id"), id);
    assert_true(json_is_false(json_object_get(r.json, "open_to_investors")));
    lds_http_resp_free(&r);
    /* The fuller form: participants, materials, capacity, money. */
    CALL("POST", "/api/v1/projects", srv.operator_token,
         "{\"title\":\"NdPr metal cell\",\"sponsor_org\":3,\"sector\":\"materials\","
         "\"region\":\"zhanggong\",\"financing_need_cny\":125000000.5,\"participants\":[2],"
         "\"materials\":[{\"material\":\"prnd_oxide\",\"direction\":\"uses\"}],"
         "\"capacity\":[{\"material\":\"ndpr_metal\",\"tonnes\":400,\"per\":\"year\"}]}",
         201, &r);
    assert_true(json_real_value(json_object_get(r.json, "financing_need_cny")) == 125000000.5);
    assert_int_equal(json_array_size(json_object_get(r.json, "participants")), 1);
    assert_string_equal(jstr(json_array_get(json_object_get(r.json, "capacity"), 0), "material"),
                        "ndpr_metal");
    lds_http_resp_free(&r);
}

static void gates_walk_hold_and_timeline(void **state)
{
    (void)state;
    long long id = create_project(
        srv.member_token, "{\"title\":\"Robot joint pilot\",\"sponsor_org\":2,\"sector\":\"robotics\"}");
    lds_http_resp r;
    /* Gate of permitting: the proposal document. */
    transition(id, srv.member_token, "{\"to\":\"permitting\",\"reason\":\"ready\"}", 409, &r,
               __LINE__);
    json_t *allowed = json_object_get(r.json, "allowed"), *unmet = json_object_get(r.json, "unmet");
    assert_int_equal(json_array_size(allowed), 2);
    assert_string_equal(json_string_value(json_array_get(allowed, 0)), "on_hold");
    assert_string_equal(json_string_value(json_array_get(allowed, 1)), "abandoned");
    assert_int_equal(json_array_size(unmet), 1);
    assert_string_equal(jstr(json_array_get(unmet, 0), "document"), "project_proposal");
    assert_string_equal(jstr(r.json, "type"), "urn:lodestone:problem:transition-refused");
    lds_http_resp_free(&r);
    add_doc(id, "project_proposal");
    transition(id, srv.member_token, "{\"to\":\"permitting\",\"reason\":\"proposal filed\"}", 200,
               &r, __LINE__);
    assert_string_equal(jstr(r.json, "stage"), "permitting");
    lds_http_resp_free(&r);
    /* Skipping a stage: not a predecessor, named as such. */
    transition(id, srv.member_token, "{\"to\":\"technical_validation\"}", 409, &r, __LINE__);
    assert_non_null(strstr(jstr(r.json, "detail"), "does not follow"));
    lds_http_resp_free(&r);
    /* Financing: two documents and a done permitting request. */
    add_doc(id, "eia_approval");
    add_doc(id, "land_use_permit");
    transition(id, srv.member_token, "{\"to\":\"financing\"}", 409, &r, __LINE__);
    unmet = json_object_get(r.json, "unmet");
    assert_int_equal(json_array_size(unmet), 1);
    assert_string_equal(jstr(json_array_get(unmet, 0), "kind"), "service");
    assert_string_equal(jstr(json_array_get(unmet, 0), "factor"), "permitting");
    lds_http_resp_free(&r);
    char body[256];
    snprintf(body, sizeof body,
             "{\"project\":%lld,\"factor\":\"permitting\",\"description\":\"EIA and land\"}", id);
    CALL("POST", "/api/v1/service-requests", srv.member_token, body, 201, &r);
    long long sr = jint(r.json, "id");
    long long prov = jint(r.json, "proposed_provider_org");
    assert_true(prov > 0);
    assert_true(json_is_null(json_object_get(r.json, "provider_org")));
    assert_non_null(strstr(jstr(r.json, "proposal"), "proposed by the platform"));
    assert_non_null(strstr(jstr(r.json, "proposal"), "region nanshan"));
    assert_string_equal(jstr(r.json, "status"), "open");
    lds_http_resp_free(&r);
    char prov_token[64], path[96];
    lds_test_make_token(&srv, (int)prov, "provider", prov_token, sizeof prov_token);
    snprintf(path, sizeof path, "/api/v1/service-requests/%lld", sr);
    /* Another provider neither reads nor moves it. */
    CALL("GET", path, bank_provider, NULL, 404, &r);
    lds_http_resp_free(&r);
    CALL("PATCH", path, bank_provider, "{\"status\":\"accepted\"}", 404, &r);
    lds_http_resp_free(&r);
    /* The sponsor does not accept for the provider; the provider does. */
    CALL("PATCH", path, srv.member_token, "{\"status\":\"accepted\"}", 403, &r);
    lds_http_resp_free(&r);
    CALL("PATCH", path, prov_token, "{\"status\":\"done\"}", 409, &r); /* skips two */
    assert_non_null(strstr(jstr(r.json, "detail"), "allowed: accepted, rejected, cancelled"));
    lds_http_resp_free(&r);
    CALL("PATCH", path, prov_token, "{\"status\":\"accepted\"}", 200, &r);
    assert_int_equal(jint(r.json, "provider_org"), prov);
    lds_http_resp_free(&r);
    transition(id, srv.member_token, "{\"to\":\"financing\"}", 409, &r, __LINE__); /* not done */
    lds_http_resp_free(&r);
    CALL("PATCH", path, prov_token, "{\"status\":\"in_progress\"}", 200, &r);
    lds_http_resp_free(&r);
    snprintf(body, sizeof body, "/api/v1/service-requests/%lld/comments", sr);
    CALL("POST", body, prov_token, "{\"body\":\"EIA report form filed\"}", 201, &r);
    lds_http_resp_free(&r);
    CALL("PATCH", path, prov_token, "{\"status\":\"done\"}", 200, &r);
    assert_string_equal(jstr(r.json, "status"), "done");
    assert_string_equal(jstr(json_array_get(json_object_get(r.json, "comments"), 0), "body"),
                        "EIA report form filed");
    lds_http_resp_free(&r);
    CALL("PATCH", path, prov_token, "{\"status\":\"cancelled\"}", 409, &r); /* closed */
    lds_http_resp_free(&r);
    transition(id, srv.member_token, "{\"to\":\"financing\",\"reason\":\"permits in hand\"}", 200,
               &r, __LINE__);
    assert_string_equal(jstr(r.json, "stage"), "financing");
    lds_http_resp_free(&r);
    /* On hold needs a reason; it resumes only where it was. */
    transition(id, srv.member_token, "{\"to\":\"on_hold\"}", 400, &r, __LINE__);
    assert_string_equal(lds_test_pointer0(&r), "/reason");
    lds_http_resp_free(&r);
    transition(id, srv.member_token, "{\"to\":\"on_hold\",\"reason\":\"fund decision pending\"}",
               200, &r, __LINE__);
    assert_string_equal(jstr(r.json, "held_stage"), "financing");
    lds_http_resp_free(&r);
    transition(id, srv.member_token, "{\"to\":\"permitting\"}", 409, &r, __LINE__);
    allowed = json_object_get(r.json, "allowed");
    assert_int_equal(json_array_size(allowed), 2);
    assert_string_equal(json_string_value(json_array_get(allowed, 0)), "financing");
    assert_string_equal(json_string_value(json_array_get(allowed, 1)), "abandoned");
    lds_http_resp_free(&r);
    transition(id, srv.member_token, "{\"to\":\"financing\",\"reason\":\"fund approved\"}", 200,
               &r, __LINE__);
    assert_true(json_is_null(json_object_get(r.json, "held_stage")));
    lds_http_resp_free(&r);
    /* The timeline: every transition with who, when, from, to and why. */
    snprintf(path, sizeof path, "/api/v1/projects/%lld/timeline?kind=transition", id);
    CALL("GET", path, srv.member_token, NULL, 200, &r);
    json_t *items = json_object_get(r.json, "items");
    static const char *const want[][3] = {
        {"", "proposed", "created"},
        {"proposed", "permitting", "proposal filed"},
        {"permitting", "financing", "permits in hand"},
        {"financing", "on_hold", "fund decision pending"},
        {"on_hold", "financing", "fund approved"},
    };
    assert_int_equal(json_array_size(items), 5);
    for (size_t i = 0; i < 5; i++) {
        json_t *e = json_array_get(items, i);
        assert_string_equal(jstr(e, "from"), want[i][0]);
        assert_string_equal(jstr(e, "to"), want[i][1]);
        assert_string_equal(jstr(e, "reason"), want[i][2]);
        assert_int_equal(jint(e, "actor_org"), 2);
        assert_string_equal(jstr(e, "actor_role"), "member");
        assert_int_equal(strlen(jstr(e, "time")), 20);
    }
    lds_http_resp_free(&r);
    /* The whole timeline also has the documents and the request's steps. */
    snprintf(path, sizeof path, "/api/v1/projects/%lld/timeline?limit=500", id);
    CALL("GET", path, srv.operator_token, NULL, 200, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 5 + 3 + 4);
    lds_http_resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/projects/%lld/documents", id);
    assert_int_equal(lds_test_count_items(&srv, path, srv.member_token), 3);
}

static void roles(void **state)
{
    (void)state;
    long long id = create_project(
        srv.member_token, "{\"title\":\"Drone motor\",\"sponsor_org\":2,\"sector\":\"drones\"}");
    char path[96], tpath[96];
    snprintf(path, sizeof path, "/api/v1/projects/%lld", id);
    snprintf(tpath, sizeof tpath, "/api/v1/projects/%lld/transitions", id);
    lds_http_resp r;
    /* A member of another organisation: cannot read it, cannot move it. */
    CALL("GET", path, org3_member, NULL, 404, &r);
    lds_http_resp_free(&r);
    CALL("POST", tpath, org3_member, "{\"to\":\"abandoned\",\"reason\":\"x\"}", 403, &r);
    lds_http_resp_free(&r);
    CALL("PATCH", path, org3_member, "{\"title\":\"mine now\"}", 403, &r);
    lds_http_resp_free(&r);
    /* Nor create one in another's name. */
    CALL("POST", "/api/v1/projects", org3_member,
         "{\"title\":\"x\",\"sponsor_org\":2,\"sector\":\"ev\"}", 403, &r);
    lds_http_resp_free(&r);
    /* A member's list holds exactly the projects its org sponsors or joins. */
    CALL("GET", "/api/v1/projects?limit=500", srv.member_token, NULL, 200, &r);
    size_t n_own = json_array_size(json_object_get(r.json, "items")), i;
    json_t *e;
    assert_true(n_own >= 2);
    json_array_foreach(json_object_get(r.json, "items"), i, e)
    {
        int mine = jint(e, "sponsor_org") == 2;
        size_t k;
        json_t *pt;
        json_array_foreach(json_object_get(e, "participants"), k, pt)
            mine |= jint(pt, "org") == 2;
        assert_true(mine);
    }
    lds_http_resp_free(&r);
    /* Its own three, and the one org 3 sponsors with org 2 participating. */
    assert_int_equal(
        lds_test_count_items(&srv, "/api/v1/projects?limit=500&sponsor=2", srv.operator_token) + 1,
        n_own);
    /* Investors see it once it is open to investors, and only read. */
    CALL("GET", path, org3_investor, NULL, 404, &r);
    lds_http_resp_free(&r);
    CALL("PATCH", path, srv.member_token, "{\"open_to_investors\":true,\"financing_need_cny\":80000000}",
         200, &r);
    assert_true(json_is_true(json_object_get(r.json, "open_to_investors")));
    lds_http_resp_free(&r);
    CALL("GET", path, org3_investor, NULL, 200, &r);
    lds_http_resp_free(&r);
    CALL("PATCH", path, org3_investor, "{\"title\":\"better\"}", 403, &r);
    lds_http_resp_free(&r);
    CALL("POST", tpath, org3_investor, "{\"to\":\"abandoned\",\"reason\":\"x\"}", 403, &r);
    lds_http_resp_free(&r);
    /* Participants edit; auditors read only; operators do everything. */
    CALL("PATCH", path, srv.member_token, "{\"participants\":[3]}", 200, &r);
    lds_http_resp_free(&r);
    CALL("PATCH", path, org3_member, "{\"description\":\"joined\"}", 200, &r);
    lds_http_resp_free(&r);
    CALL("GET", path, auditor, NULL, 200, &r);
    lds_http_resp_free(&r);
    CALL("PATCH", path, auditor, "{\"title\":\"audited\"}", 403, &r);
    lds_http_resp_free(&r);
    CALL("POST", tpath, srv.operator_token, "{\"to\":\"abandoned\",\"reason\":\"operator\"}", 200,
         &r);
    lds_http_resp_free(&r);
    /* The edit is on the timeline with old and new values. */
    snprintf(tpath, sizeof tpath, "/api/v1/projects/%lld/timeline?kind=edit", id);
    CALL("GET", tpath, srv.operator_token, NULL, 200, &r);
    json_t *e0 = json_array_get(json_object_get(r.json, "items"), 0);
    json_t *chg = json_object_get(json_object_get(e0, "detail"), "financing_need_cny");
    assert_int_equal(json_integer_value(json_array_get(chg, 0)), 0);
    assert_int_equal(json_integer_value(json_array_get(chg, 1)), 80000000);
    lds_http_resp_free(&r);
    /* Providers: capabilities are their own to declare. */
    CALL("POST", "/api/v1/providers", bank_provider,
         "{\"factors\":[\"financing\",\"legal_ip\"],\"regions\":[],\"max_open\":20}", 201, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
    lds_http_resp_free(&r);
    CALL("POST", "/api/v1/providers", srv.member_token,
         "{\"org\":13,\"factors\":[\"talent\"],\"max_open\":2}", 403, &r);
    lds_http_resp_free(&r);
    CALL("GET", "/api/v1/providers?factor=financing&org=13", auditor, NULL, 200, &r);
    json_t *c0 = json_array_get(json_object_get(r.json, "items"), 0);
    assert_int_equal(jint(c0, "max_open"), 20);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    lds_http_resp_free(&r);
}

static void bad_input_stores_nothing(void **state)
{
    (void)state;
    size_t before =
        lds_test_count_items(&srv, "/api/v1/projects?sponsor=2&limit=500", srv.operator_token);
    lds_http_resp r;
    CALL("POST", "/api/v1/projects", srv.member_token,
         "{\"title\":\"x\",\"sponsor_org\":2,\"sector\":\"magnets\",\"financing_need_cny\":-5}",
         400, &r);
    assert_string_equal(lds_test_pointer0(&r), "/financing_need_cny");
    lds_http_resp_free(&r);
    CALL("POST", "/api/v1/projects", srv.member_token,
         "{\"title\":\"x\",\"sponsor_org\":2,\"sector\":\"submarines\"}", 400, &r);
    assert_string_equal(lds_test_pointer0(&r), "/sector");
    lds_http_resp_free(&r);
    CALL("POST", "/api/v1/projects", srv.operator_token,
         "{\"title\":\"x\",\"sponsor_org\":99999,\"sector\":\"ev\"}", 400, &r);
    assert_string_equal(lds_test_pointer0(&r), "/sponsor_org");
    lds_http_resp_free(&r);
    CALL("POST", "/api/v1/projects", srv.member_token,
         "{\"title\":\"x\",\"sponsor_org\":2,\"sector\":\"ev\",\"participants\":[3,99999]}", 400,
         &r);
    assert_string_equal(lds_test_pointer0(&r), "/participants/1");
    lds_http_resp_free(&r);
    CALL("POST", "/api/v1/projects", srv.member_token,
         "{\"title\":\"x\",\"sponsor_org\":2,\"sector\":\"ev\",\"stage\":\"operating\"}", 400, &r);
    assert_string_equal(lds_test_pointer0(&r), "/stage");
    lds_http_resp_free(&r);
    CALL("POST", "/api/v1/projects", srv.member_token,
         "{\"title\":\"x\",\"sponsor_org\":2,\"sector\":\"ev\",\"capacity\":[{\"material\":"
         "\"mag_n52\",\"tonnes\":-1}]}",
         400, &r);
    assert_string_equal(lds_test_pointer0(&r), "/capacity/0/tonnes");
    lds_http_resp_free(&r);
    assert_int_equal(
        lds_test_count_items(&srv, "/api/v1/projects?sponsor=2&limit=500", srv.operator_token),
        before);
    /* Unknown ids and stages. */
    CALL("GET", "/api/v1/projects/999999", srv.operator_token, NULL, 404, &r);
    lds_http_resp_free(&r);
    CALL("GET", "/api/v1/projects/abc", srv.operator_token, NULL, 404, &r);
    lds_http_resp_free(&r);
    CALL("POST", "/api/v1/projects/999999/transitions", srv.operator_token,
         "{\"to\":\"permitting\"}", 404, &r);
    lds_http_resp_free(&r);
    CALL("GET", "/api/v1/projects?stage=closing", srv.operator_token, NULL, 400, &r);
    assert_string_equal(lds_test_pointer0(&r), "stage");
    lds_http_resp_free(&r);
    long long id = create_project(
        srv.member_token, "{\"title\":\"Swarf line\",\"sponsor_org\":2,\"sector\":\"recycling\"}");
    char path[96], body[256];
    snprintf(path, sizeof path, "/api/v1/projects/%lld/timeline", id);
    size_t events = lds_test_count_items(&srv, path, srv.member_token);
    char tpath[96];
    snprintf(tpath, sizeof tpath, "/api/v1/projects/%lld/transitions", id);
    CALL("POST", tpath, srv.member_token, "{\"to\":\"launch\"}", 400, &r);
    assert_string_equal(lds_test_pointer0(&r), "/to");
    lds_http_resp_free(&r);
    CALL("POST", tpath, srv.member_token, "{\"to\":\"operating\"}", 409, &r);
    lds_http_resp_free(&r);
    assert_int_equal(lds_test_count_items(&srv, path, srv.member_token),
                     events); /* refusals leave no entry */
    /* Requests: dates out of order, unknown projects, unknown factors. */
    snprintf(body, sizeof body,
             "{\"project\":%lld,\"factor\":\"talent\",\"description\":\"x\",\"due\":"
             "\"2020-01-01\"}",
             id);
    CALL("POST", "/api/v1/service-requests", srv.member_token, body, 400, &r);
    assert_string_equal(lds_test_pointer0(&r), "/due");
    lds_http_resp_free(&r);
    snprintf(body, sizeof body,
             "{\"project\":%lld,\"factor\":\"talent\",\"description\":\"x\",\"due\":"
             "\"2030-02-30\"}",
             id);
    CALL("POST", "/api/v1/service-requests", srv.member_token, body, 400, &r);
    assert_string_equal(lds_test_pointer0(&r), "/due");
    lds_http_resp_free(&r);
    CALL("POST", "/api/v1/service-requests", srv.member_token,
         "{\"project\":999999,\"factor\":\"talent\",\"description\":\"x\"}", 400, &r);
    assert_string_equal(lds_test_pointer0(&r), "/project");
    lds_http_resp_free(&r);
    snprintf(body, sizeof body, "{\"project\":%lld,\"factor\":\"catering\",\"description\":\"x\"}",
             id);
    CALL("POST", "/api/v1/service-requests", srv.member_token, body, 400, &r);
    assert_string_equal(lds_test_pointer0(&r), "/factor");
    lds_http_resp_free(&r);
    char q[96];
    snprintf(q, sizeof q, "/api/v1/service-requests?project=%lld", id);
    assert_int_equal(lds_test_count_items(&srv, q, srv.operator_token), 0);
    CALL("GET", "/api/v1/service-requests?status=lost", srv.operator_token, NULL, 400, &r);
    lds_http_resp_free(&r);
    CALL("GET", "/api/v1/service-requests/999999", srv.operator_token, NULL, 404, &r);
    lds_http_resp_free(&r);
}

static void overdue_requests(void **state)
{
    (void)state;
    lds_http_resp r;
    /* The demo history has requests past due. */
    CALL("GET", "/api/v1/service-requests?overdue=true&limit=500", srv.operator_token, NULL, 200,
         &r);
    json_t *items = json_object_get(r.json, "items");
    assert_true(json_array_size(items) >= 5);
    size_t i;
    json_t *e;
    json_array_foreach(items, i, e)
    {
        assert_true(json_is_true(json_object_get(e, "overdue")));
        const char *st = jstr(e, "status");
        assert_true(!strcmp(st, "open") || !strcmp(st, "accepted") || !strcmp(st, "in_progress"));
    }
    lds_http_resp_free(&r);
    /* A request due in two seconds joins the list once the time passes. */
    long long id = create_project(
        srv.member_token, "{\"title\":\"Servo cell\",\"sponsor_org\":2,\"sector\":\"motors\"}");
    time_t due = time(NULL) + 2;
    struct tm tm;
    gmtime_r(&due, &tm);
    char ts[32], body[256], q[128];
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(body, sizeof body,
             "{\"project\":%lld,\"factor\":\"talent\",\"description\":\"two engineers\",\"due\":"
             "\"%s\"}",
             id, ts);
    CALL("POST", "/api/v1/service-requests", srv.member_token, body, 201, &r);
    assert_string_equal(jstr(r.json, "due"), ts);
    assert_true(json_is_false(json_object_get(r.json, "overdue")));
    lds_http_resp_free(&r);
    snprintf(q, sizeof q, "/api/v1/service-requests?project=%lld&overdue=true", id);
    assert_int_equal(lds_test_count_items(&srv, q, srv.member_token), 0);
    usleep(2100000);
    assert_int_equal(lds_test_count_items(&srv, q, srv.member_token), 1);
    /* The bank (a provider not offered it) does not see it in its list. */
    assert_int_equal(lds_test_count_items(&srv, q, bank_provider), 0);
}

/* Assignment and the other ends of the status machine: a member naming a
 * provider makes it the proposal, the operator assigns, the assigned
 * provider (not the proposed one any more) acts, the provider rejects, the
 * project side cancels, a provider sees the project it works for. */
static void request_assignment_and_closing(void **state)
{
    (void)state;
    long long id = create_project(
        srv.member_token, "{\"title\":\"EPS motor line\",\"sponsor_org\":2,\"sector\":\"motors\"}");
    char body[256], path[96], ppath[96];
    lds_http_resp r;
    /* Org 13 (the bank) declares financing; naming it for talent is refused. */
    snprintf(body, sizeof body,
             "{\"project\":%lld,\"factor\":\"talent\",\"description\":\"x\",\"provider_org\":13}",
             id);
    CALL("POST", "/api/v1/service-requests", srv.member_token, body, 400, &r);
    assert_string_equal(lds_test_pointer0(&r), "/provider_org");
    lds_http_resp_free(&r);
    snprintf(body, sizeof body,
             "{\"project\":%lld,\"factor\":\"financing\",\"description\":\"loan\","
             "\"provider_org\":13}",
             id);
    CALL("POST", "/api/v1/service-requests", srv.member_token, body, 201, &r);
    long long sr = jint(r.json, "id");
    assert_int_equal(jint(r.json, "proposed_provider_org"), 13);
    assert_true(json_is_null(json_object_get(r.json, "provider_org")));
    assert_string_equal(jstr(r.json, "proposal"), "named by the requesting organisation");
    lds_http_resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/service-requests/%lld", sr);
    snprintf(ppath, sizeof ppath, "/api/v1/projects/%lld", id);
    /* The proposed provider sees the request and the project. */
    CALL("GET", path, bank_provider, NULL, 200, &r);
    lds_http_resp_free(&r);
    CALL("GET", ppath, bank_provider, NULL, 200, &r);
    lds_http_resp_free(&r);
    CALL("PATCH", ppath, bank_provider, "{\"title\":\"bank's\"}", 403, &r);
    lds_http_resp_free(&r);
    /* Only the operator assigns; after that the bank no longer sees it. */
    CALL("PATCH", path, srv.member_token, "{\"provider_org\":13}", 403, &r);
    lds_http_resp_free(&r);
    CALL("GET", "/api/v1/providers?factor=financing&limit=500", srv.operator_token, NULL, 200, &r);
    long long other = 0;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r.json, "items"), i, e)
        if (jint(e, "org") != 13)
            other = jint(e, "org");
    lds_http_resp_free(&r);
    if (!other) { /* make a second financing provider: the talent agency */
        CALL("POST", "/api/v1/providers", srv.operator_token,
             "{\"org\":16,\"factors\":[\"financing\"],\"max_open\":3}", 201, &r);
        lds_http_resp_free(&r);
        other = 16;
    }
    snprintf(body, sizeof body, "{\"provider_org\":%lld}", other);
    CALL("PATCH", path, srv.operator_token, body, 200, &r);
    assert_int_equal(jint(r.json, "provider_org"), other);
    lds_http_resp_free(&r);
    CALL("GET", path, bank_provider, NULL, 404, &r);
    lds_http_resp_free(&r);
    char other_token[64];
    lds_test_make_token(&srv, (int)other, "provider", other_token, sizeof other_token);
    CALL("PATCH", path, other_token, "{\"status\":\"rejected\"}", 200, &r);
    assert_string_equal(jstr(r.json, "status"), "rejected");
    assert_true(json_is_string(json_object_get(r.json, "closed_at")));
    lds_http_resp_free(&r);
    CALL("PATCH", path, srv.member_token, "{\"status\":\"cancelled\"}", 409, &r);
    lds_http_resp_free(&r);
    /* A second request: the provider cannot cancel it, the sponsor can. */
    snprintf(body, sizeof body,
             "{\"project\":%lld,\"factor\":\"financing\",\"description\":\"again\"}", id);
    CALL("POST", "/api/v1/service-requests", srv.operator_token, body, 201, &r);
    sr = jint(r.json, "id");
    long long prop = jint(r.json, "proposed_provider_org");
    lds_http_resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/service-requests/%lld", sr);
    char prop_token[64];
    lds_test_make_token(&srv, (int)prop, "provider", prop_token, sizeof prop_token);
    CALL("PATCH", path, prop_token, "{\"status\":\"cancelled\"}", 403, &r);
    lds_http_resp_free(&r);
    CALL("PATCH", path, auditor, "{\"status\":\"cancelled\"}", 403, &r);
    lds_http_resp_free(&r);
    CALL("PATCH", path, srv.member_token, "{\"status\":\"cancelled\"}", 200, &r);
    lds_http_resp_free(&r);
    /* Both show on the timeline as service steps. */
    snprintf(path, sizeof path, "/api/v1/projects/%lld/timeline?kind=service", id);
    assert_int_equal(lds_test_count_items(&srv, path, srv.member_token),
                     4); /* open, rejected, open, cancelled */
}

/* A provider reads the timeline of a project it works for, but of the service
 * events only those of requests it may read: the other providers' requests
 * (ids, factors, status steps, who acted) stay a 404 there as here.  Demo
 * project 20 has requests of five providers, one of them the bank's. */
static void provider_timeline_shows_its_own_requests_only(void **state)
{
    (void)state;
    const char *tl = "/api/v1/projects/20/timeline?kind=service&limit=500";
    lds_http_resp all, mine, r;
    CALL("GET", tl, srv.operator_token, NULL, 200, &all);
    CALL("GET", tl, bank_provider, NULL, 200, &mine);
    json_t *items = json_object_get(all.json, "items");
    json_t *seen = json_object_get(mine.json, "items");
    size_t shown = 0, hidden = 0, j = 0;
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *ev = json_array_get(items, i);
        long long req = jint(json_object_get(ev, "detail"), "request");
        assert_true(req > 0);
        char path[64];
        snprintf(path, sizeof path, "/api/v1/service-requests/%lld", req);
        assert_int_equal(lds_http(&srv, "GET", path, bank_provider, NULL, NULL, 0, &r), 0);
        long st = r.status;
        lds_http_resp_free(&r);
        assert_true(st == 200 || st == 404);
        if (st == 404) {
            hidden++;
            continue;
        }
        /* Readable: in the provider's timeline, in the same order. */
        json_t *got = json_array_get(seen, j++);
        assert_non_null(got);
        assert_int_equal(jint(got, "id"), jint(ev, "id"));
        shown++;
    }
    assert_int_equal(j, json_array_size(seen));
    assert_true(shown >= 2); /* the bank's request opened and accepted at least */
    assert_true(hidden >= 8);
    lds_http_resp_free(&all);
    lds_http_resp_free(&mine);
}

static void demo_projects(void **state)
{
    (void)state;
    lds_http_resp r;
    CALL("GET", "/api/v1/projects?limit=500", srv.operator_token, NULL, 200, &r);
    json_t *items = json_object_get(r.json, "items");
    int stages[10] = {0}, n_demo = 0;
    static const char *const names[10] = {
        "proposed", "permitting",    "financing", "technical_validation", "pilot_production",
        "talent",   "market_access", "operating", "on_hold",              "abandoned"};
    size_t i;
    json_t *e;
    json_array_foreach(items, i, e)
    {
        if (!json_is_true(json_object_get(e, "synthetic")))
            continue;
        n_demo++;
        for (int k = 0; k < 10; k++)
            if (!strcmp(jstr(e, "stage"), names[k]))
                stages[k]++;
    }
    lds_http_resp_free(&r);
    assert_int_equal(n_demo, 32); /* 30 over every stage, 2 at plan bottlenecks */
    for (int k = 0; k < 10; k++)
        if (stages[k] == 0)
            fail_msg("no demo project in stage %s", names[k]);
    /* Paging with a cursor, and a filter. */
    CALL("GET", "/api/v1/projects?limit=2", srv.operator_token, NULL, 200, &r);
    char next[128];
    snprintf(next, sizeof next, "/api/v1/projects?limit=2&next=%s", jstr(r.json, "next"));
    long long first = jint(json_array_get(json_object_get(r.json, "items"), 0), "id");
    lds_http_resp_free(&r);
    CALL("GET", next, srv.operator_token, NULL, 200, &r);
    assert_true(jint(json_array_get(json_object_get(r.json, "items"), 0), "id") > first + 1);
    lds_http_resp_free(&r);
    CALL("GET", "/api/v1/projects?stage=operating&limit=500", srv.operator_token, NULL, 200, &r);
    json_array_foreach(json_object_get(r.json, "items"), i, e)
        assert_string_equal(jstr(e, "stage"), "operating");
    lds_http_resp_free(&r);
    /* An operating project's history reaches operating through every stage. */
    CALL("GET", "/api/v1/projects?stage=operating&limit=1", srv.operator_token, NULL, 200, &r);
    long long op = jint(json_array_get(json_object_get(r.json, "items"), 0), "id");
    lds_http_resp_free(&r);
    char path[96];
    snprintf(path, sizeof path, "/api/v1/projects/%lld/timeline?kind=transition", op);
    assert_int_equal(lds_test_count_items(&srv, path, srv.operator_token), 8);
    /* Its whole timeline in time order, and the same pages by cursor. */
    snprintf(path, sizeof path, "/api/v1/projects/%lld/timeline?limit=500", op);
    CALL("GET", path, srv.operator_token, NULL, 200, &r);
    json_t *all = json_incref(json_object_get(r.json, "items"));
    lds_http_resp_free(&r);
    assert_true(json_array_size(all) > 8);
    for (i = 1; i < json_array_size(all); i++)
        assert_true(strcmp(jstr(json_array_get(all, i - 1), "time"),
                           jstr(json_array_get(all, i), "time")) <= 0);
    size_t got = 0;
    char page[256];
    snprintf(page, sizeof page, "/api/v1/projects/%lld/timeline?limit=3", op);
    for (;;) {
        CALL("GET", page, srv.operator_token, NULL, 200, &r);
        json_array_foreach(json_object_get(r.json, "items"), i, e)
        {
            assert_true(got < json_array_size(all));
            assert_int_equal(jint(e, "id"), jint(json_array_get(all, got), "id"));
            got++;
        }
        const char *nx = json_string_value(json_object_get(r.json, "next"));
        if (nx)
            snprintf(page, sizeof page, "/api/v1/projects/%lld/timeline?limit=3&next=%s", op, nx);
        lds_http_resp_free(&r);
        if (!nx)
            break;
    }
    assert_int_equal(got, json_array_size(all));
    json_decref(all);
    /* Ten providers declare capabilities; eight investor organisations. */
    CALL("GET", "/api/v1/providers?limit=500", srv.operator_token, NULL, 200, &r);
    long long orgs[64];
    int n_orgs = 0;
    json_array_foreach(json_object_get(r.json, "items"), i, e)
    {
        int seen = 0;
        for (int k = 0; k < n_orgs; k++)
            seen |= orgs[k] == jint(e, "org");
        if (!seen && n_orgs < 64)
            orgs[n_orgs++] = jint(e, "org");
    }
    lds_http_resp_free(&r);
    assert_true(n_orgs >= 10);
    CALL("GET", "/api/v1/orgs?kind=investor&limit=500", srv.operator_token, NULL, 200, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 8);
    lds_http_resp_free(&r);
}

/* Text limits count characters, not bytes: a title of 200 Chinese
 * characters (600 bytes of UTF-8) is a title; 201 is one too many. */
static void text_limits_count_characters(void **state)
{
    (void)state;
    char title[1024], body[1200];
    title[0] = '\0';
    for (int i = 0; i < 200; i++)
        strcat(title, "\xe7\xa8\x80"); /* U+7A00 */
    snprintf(body, sizeof body, "{\"title\":\"%s\",\"sponsor_org\":2,\"sector\":\"ev\"}", title);
    lds_http_resp r;
    CALL("POST", "/api/v1/projects", srv.member_token, body, 201, &r);
    assert_string_equal(jstr(r.json, "title"), title);
    lds_http_resp_free(&r);
    strcat(title, "\xe7\xa8\x80");
    snprintf(body, sizeof body, "{\"title\":\"%s\",\"sponsor_org\":2,\"sector\":\"ev\"}", title);
    CALL("POST", "/api/v1/projects", srv.member_token, body, 400, &r);
    assert_string_equal(lds_test_pointer0(&r), "/title");
    lds_http_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixed_form_of_creation),
        cmocka_unit_test(gates_walk_hold_and_timeline),
        cmocka_unit_test(roles),
        cmocka_unit_test(bad_input_stores_nothing),
        cmocka_unit_test(overdue_requests),
        cmocka_unit_test(request_assignment_and_closing),
        cmocka_unit_test(provider_timeline_shows_its_own_requests_only),
        cmocka_unit_test(demo_projects),
        cmocka_unit_test(text_limits_count_characters),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
