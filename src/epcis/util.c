/*
 * util.c — small shared pieces of the EPCIS engine: JSON-LD prefixes, RFC 3986
 * URI syntax, RFC 3339 time, number formatting, CBV vocabularies, pointers.
 * Nothing here allocates except through the lds_buf it is handed.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "epcis/epcis_int.h"

/* ------------------------------------------------------------------ */
/* Namespaces                                                          */
/* ------------------------------------------------------------------ */

/* Prefixes of the EPCIS 2.0.0 JSON-LD context; a document may redefine them. */
static const char *const well_known_ns[][2] = {
    {"epcis", "https://ref.gs1.org/epcis/"},
    {"cbv", "https://ref.gs1.org/cbv/"},
    {"cbvmda", "urn:epcglobal:cbv:mda:"},
    {"gs1", "https://gs1.org/voc/"},
    {"rdfs", "http://www.w3.org/2000/01/rdf-schema#"},
    {"owl", "http://www.w3.org/2002/07/owl#"},
    {"xsd", "http://www.w3.org/2001/XMLSchema#"},
    {"dcterms", "http://purl.org/dc/terms/"},
};

static const size_t well_known_len[] = {5, 3, 6, 3, 4, 3, 3, 7};

static void ns_put(lds_epcis_ns *ns, const char *prefix, size_t len, const char *iri)
{
    for (int i = 0; i < ns->n; i++) {
        if (ns->items[i].prefix_len == len && memcmp(ns->items[i].prefix, prefix, len) == 0) {
            ns->items[i].iri = iri;
            return;
        }
    }
    if (ns->n >= LDS_EPCIS_NS_MAX)
        return; /* documented cap: further prefixes are not expanded */
    ns->items[ns->n].prefix = prefix;
    ns->items[ns->n].prefix_len = len;
    ns->items[ns->n].iri = iri;
    ns->n++;
}

void lds_epcis__ns_init(lds_epcis_ns *ns)
{
    ns->n = 0;
    /* Distinct prefixes: filled directly, no lookups. */
    for (size_t i = 0; i < sizeof well_known_ns / sizeof well_known_ns[0]; i++) {
        ns->items[i].prefix = well_known_ns[i][0];
        ns->items[i].prefix_len = well_known_len[i];
        ns->items[i].iri = well_known_ns[i][1];
    }
    ns->n = (int)(sizeof well_known_ns / sizeof well_known_ns[0]);
}

static void ns_add_object(lds_epcis_ns *ns, const json_t *obj)
{
    const char *key;
    size_t key_len;
    json_t *val;
    void *it;
    for (it = json_object_iter((json_t *)(uintptr_t)obj); it;
         it = json_object_iter_next((json_t *)(uintptr_t)obj, it)) {
        key = json_object_iter_key(it);
        key_len = json_object_iter_key_len(it);
        val = json_object_iter_value(it);
        if (key_len == 0 || key[0] == '@')
            continue;
        if (json_is_string(val))
            ns_put(ns, key, key_len, json_string_value(val));
        else if (json_is_object(val) && json_is_string(json_object_get(val, "@id")))
            ns_put(ns, key, key_len, json_string_value(json_object_get(val, "@id")));
    }
}

void lds_epcis__ns_add_context(lds_epcis_ns *ns, const json_t *ctx)
{
    if (!ctx)
        return;
    if (json_is_object(ctx)) {
        ns_add_object(ns, ctx);
    } else if (json_is_array(ctx)) {
        size_t i;
        json_t *c;
        json_array_foreach((json_t *)(uintptr_t)ctx, i, c)
        {
            if (json_is_object(c))
                ns_add_object(ns, c);
        }
    }
}

const char *lds_epcis__ns_lookup(const lds_epcis_ns *ns, const char *prefix, size_t len)
{
    for (int i = ns->n - 1; i >= 0; i--)
        if (ns->items[i].prefix_len == len && memcmp(ns->items[i].prefix, prefix, len) == 0)
            return ns->items[i].iri;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* URIs                                                                */
/* ------------------------------------------------------------------ */

static int is_hex(int c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* unreserved / sub-delims / ":" "@" "/" "?" */
static int uri_char(unsigned c)
{
    if ((c | 32) - 'a' < 26 || c - '0' < 10)
        return 1;
    switch (c) {
    case '-': case '.': case '_': case '~': case '!': case '$': case '&': case '\'':
    case '(': case ')': case '*': case '+': case ',': case ';': case '=': case ':':
    case '@': case '/': case '?':
        return 1;
    }
    return 0;
}

/* RFC 3986 absolute URI: scheme ":" hier-part [ "?" query ] [ "#" fragment ].
 * Characters after the scheme must be unreserved, sub-delims, ":@/?", a
 * pct-encoding, one "#", or "[]" inside the authority (IP literals). */
int lds_epcis__is_abs_uri(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    if (!isalpha(*p))
        return 0;
    while (isalnum(*p) || *p == '+' || *p == '-' || *p == '.')
        p++;
    if (*p != ':')
        return 0;
    p++;
    int in_authority = (p[0] == '/' && p[1] == '/');
    if (in_authority)
        p += 2;
    int seen_hash = 0;
    for (; *p; p++) {
        unsigned c = *p;
        if (uri_char(c))
            continue;
        if (c == '%') {
            if (!is_hex(p[1]) || !is_hex(p[2]))
                return 0;
            p += 2;
            continue;
        }
        if (c == '#' && !seen_hash) {
            seen_hash = 1;
            in_authority = 0;
            continue;
        }
        if ((c == '[' || c == ']') && in_authority)
            continue;
        return 0;
    }
    return 1;
}

/* ------------------------------------------------------------------ */
/* Numbers                                                             */
/* ------------------------------------------------------------------ */

/* Shortest decimal digits that read back as `v` (v finite, > 0): fills
 * `digits` (no dot, no trailing zeros) and returns the decimal exponent E of
 * the first digit (v = d.ddd x 10^E). */
static int shortest_digits(double v, char digits[32])
{
    char tmp[40];
    for (int prec = 0; prec < 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec, v);
        if (strtod(tmp, NULL) == v || prec == 16) {
            int n = 0;
            const char *q = tmp;
            for (; *q && *q != 'e'; q++)
                if (isdigit((unsigned char)*q))
                    digits[n++] = *q;
            while (n > 1 && digits[n - 1] == '0')
                n--;
            digits[n] = '\0';
            return atoi(q + 1);
        }
    }
    digits[0] = '0';
    digits[1] = '\0';
    return 0;
}

void lds_epcis__num_hash(lds_buf *b, double v)
{
    if (!isfinite(v)) {
        lds_buf_adds(b, isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"));
        return;
    }
    if (v == floor(v)) {
        /* Python: int(float) printed exactly. */
        if (fabs(v) < 9.0e18) {
            char t[24];
            size_t i = sizeof t;
            uint64_t u = (uint64_t)(v < 0 ? -v : v);
            do
                t[--i] = (char)('0' + u % 10);
            while (u /= 10);
            if (v < 0)
                t[--i] = '-';
            lds_buf_add(b, t + i, sizeof t - i);
        }
        else
            lds_buf_addf(b, "%.0f", v);
        return;
    }
    char digits[32];
    if (v < 0) {
        lds_buf_addc(b, '-');
        v = -v;
    }
    int e = shortest_digits(v, digits);
    int nd = (int)strlen(digits);
    if (e >= -4 && e < 16) {
        /* Python repr: fixed notation in this range. */
        if (e < 0) {
            lds_buf_adds(b, "0.");
            for (int i = -1; i > e; i--)
                lds_buf_addc(b, '0');
            lds_buf_adds(b, digits);
        } else {
            for (int i = 0; i <= e; i++)
                lds_buf_addc(b, i < nd ? digits[i] : '0');
            if (nd > e + 1) {
                lds_buf_addc(b, '.');
                lds_buf_adds(b, digits + e + 1);
            }
        }
    } else {
        lds_buf_addc(b, digits[0]);
        if (nd > 1) {
            lds_buf_addc(b, '.');
            lds_buf_adds(b, digits + 1);
        }
        lds_buf_addf(b, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
    }
}

void lds_epcis__num_es(lds_buf *b, double v)
{
    if (!isfinite(v)) { /* not representable in JSON; jansson never gives these */
        lds_buf_adds(b, "null");
        return;
    }
    if (v == 0) {
        lds_buf_addc(b, '0');
        return;
    }
    if (v < 0) {
        lds_buf_addc(b, '-');
        v = -v;
    }
    if (v < 9007199254740992.0 && v == floor(v)) {
        /* Integers below 2^53 (the usual quantities and counts) print as
         * their digits in ECMAScript too; no shortest-digits search. */
        char t[24];
        size_t i = sizeof t;
        for (uint64_t u = (uint64_t)v; u; u /= 10)
            t[--i] = (char)('0' + u % 10);
        lds_buf_add(b, t + i, sizeof t - i);
        return;
    }
    char digits[32];
    int k, n = shortest_digits(v, digits) + 1; /* v = 0.d1..dk x 10^n */
    k = (int)strlen(digits);
    if (k <= n && n <= 21) {
        lds_buf_adds(b, digits);
        for (int i = k; i < n; i++)
            lds_buf_addc(b, '0');
    } else if (0 < n && n <= 21) {
        lds_buf_add(b, digits, (size_t)n);
        lds_buf_addc(b, '.');
        lds_buf_adds(b, digits + n);
    } else if (-6 < n && n <= 0) {
        lds_buf_adds(b, "0.");
        for (int i = 0; i < -n; i++)
            lds_buf_addc(b, '0');
        lds_buf_adds(b, digits);
    } else {
        lds_buf_addc(b, digits[0]);
        if (k > 1) {
            lds_buf_addc(b, '.');
            lds_buf_adds(b, digits + 1);
        }
        lds_buf_addf(b, "e%c%d", n - 1 < 0 ? '-' : '+', n - 1 < 0 ? 1 - n : n - 1);
    }
}

int lds_epcis__num_string(lds_buf *b, const char *s, size_t n)
{
    size_t i = 0, nd = 0;
    char tmp[128];
    if (n == 0 || n >= sizeof tmp)
        return 0;
    if (s[i] == '+' || s[i] == '-')
        i++;
    while (i < n && isdigit((unsigned char)s[i]))
        i++, nd++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && isdigit((unsigned char)s[i]))
            i++, nd++;
    }
    if (nd == 0)
        return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t ne = 0;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        while (i < n && isdigit((unsigned char)s[i]))
            i++, ne++;
        if (ne == 0)
            return 0;
    }
    if (i != n)
        return 0;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    double v = strtod(tmp, NULL);
    if (!isfinite(v))
        return 0;
    lds_epcis__num_hash(b, v);
    return 1;
}

/* ------------------------------------------------------------------ */
/* Time                                                                */
/* ------------------------------------------------------------------ */

static int digits_at(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned dd = doy - (153 * mp + 2) / 5 + 1;
    unsigned mm = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (mm <= 2));
    *m = (int)mm;
    *d = (int)dd;
}

/* Parses RFC 3339; `us` gets the fraction as microseconds (beyond truncated). */
static int parse_rfc3339(const char *s, int64_t *epoch_s, int *us, int *off_min)
{
    int y, mo, d, h, mi, se, oh, om;
    size_t len = strlen(s);
    if (len < 20)
        return -1;
    if (digits_at(s, 4, &y) || s[4] != '-' || digits_at(s + 5, 2, &mo) || s[7] != '-' ||
        digits_at(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || digits_at(s + 11, 2, &h) ||
        s[13] != ':' || digits_at(s + 14, 2, &mi) || s[16] != ':' || digits_at(s + 17, 2, &se))
        return -1;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && is_leap(y)) || h > 23 ||
        mi > 59 || se > 60)
        return -1;
    const char *p = s + 19;
    int frac = 0, nfrac = 0;
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p)) {
            if (nfrac < 6)
                frac = frac * 10 + (*p - '0');
            nfrac++;
            p++;
        }
        if (nfrac == 0)
            return -1;
        for (int i = nfrac; i < 6; i++)
            frac *= 10;
    }
    int off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        if (digits_at(p + 1, 2, &oh) || p[3] != ':' || digits_at(p + 4, 2, &om) || oh > 23 ||
            om > 59)
            return -1;
        off = oh * 60 + om;
        if (*p == '-')
            off = -off;
        p += 6;
    } else {
        return -1;
    }
    if (*p)
        return -1;
    *epoch_s = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se -
               (int64_t)off * 60;
    *us = frac;
    *off_min = off;
    return 0;
}

int lds_epcis_parse_time(const char *s, int64_t *epoch_ms, int *offset_min)
{
    int64_t sec;
    int us, off;
    if (!s || parse_rfc3339(s, &sec, &us, &off))
        return -1;
    if (epoch_ms)
        *epoch_ms = sec * 1000 + us / 1000;
    if (offset_min)
        *offset_min = off;
    return 0;
}

int lds_epcis__time_utc_ms(lds_buf *b, const char *s)
{
    int64_t sec;
    int us, off;
    if (parse_rfc3339(s, &sec, &us, &off))
        return -1;
    /* Round to milliseconds, half to even (the reference rounds microseconds
     * with Python's round(us, -3)); a carry moves into the seconds. */
    int ms = us / 1000, rem = us % 1000;
    if (rem > 500 || (rem == 500 && (ms & 1)))
        ms++;
    int64_t total = sec * 1000 + ms;
    int64_t days = total >= 0 ? total / 86400000 : -((-total + 86399999) / 86400000);
    int64_t in_day = total - days * 86400000;
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) {
        lds_buf_addf(b, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, d,
                     (int)(in_day / 3600000), (int)(in_day / 60000 % 60),
                     (int)(in_day / 1000 % 60), (int)(in_day % 1000));
        return 0;
    }
    /* The common case without printf (a hash ID writes one per event). */
    char t[24];
    const int f[7] = {y, m, d, (int)(in_day / 3600000), (int)(in_day / 60000 % 60),
                      (int)(in_day / 1000 % 60), (int)(in_day % 1000)};
    static const int width[7] = {4, 2, 2, 2, 2, 2, 3};
    static const char sep[7] = {'-', '-', 'T', ':', ':', '.', 'Z'};
    size_t n = 0;
    for (int i = 0; i < 7; i++) {
        for (int w = width[i] - 1, v = f[i]; w >= 0; w--, v /= 10)
            t[n + (size_t)w] = (char)('0' + v % 10);
        n += (size_t)width[i];
        t[n++] = sep[i];
    }
    lds_buf_add(b, t, n);
    return 0;
}

int lds_epcis__is_tz_offset(const char *s, int *minutes)
{
    int h, m;
    if (!s || strlen(s) != 6 || (s[0] != '+' && s[0] != '-') || digits_at(s + 1, 2, &h) ||
        s[3] != ':' || digits_at(s + 4, 2, &m))
        return 0;
    if (m > 59 || h > 14 || (h == 14 && m != 0))
        return 0;
    if (minutes)
        *minutes = (s[0] == '-' ? -1 : 1) * (h * 60 + m);
    return 1;
}

/* ------------------------------------------------------------------ */
/* CBV vocabularies (CBV 2.0; the lists of the EPCIS 2.0 JSON schema)  */
/* ------------------------------------------------------------------ */

static const char *const bizsteps[] = {
    "accepting", "arriving", "assembling", "collecting", "commissioning", "consigning",
    "creating_class_instance", "cycle_counting", "decommissioning", "departing", "destroying",
    "disassembling", "dispensing", "encoding", "entering_exiting", "holding", "inspecting",
    "installing", "killing", "loading", "other", "packing", "picking", "receiving", "removing",
    "repackaging", "repairing", "replacing", "reserving", "retail_selling", "shipping",
    "staging_outbound", "stock_taking", "stocking", "storing", "transporting", "unloading",
    "unpacking", "void_shipping", "sensor_reporting", "sampling", NULL};
static const char *const dispositions[] = {
    "active", "container_closed", "damaged", "destroyed", "dispensed", "disposed", "encoded",
    "expired", "in_progress", "in_transit", "inactive", "no_pedigree_match", "non_sellable_other",
    "partially_dispensed", "recalled", "reserved", "retail_sold", "returned",
    "sellable_accessible", "sellable_not_accessible", "stolen", "unknown", "available",
    "completeness_verified", "completeness_inferred", "conformant", "container_open",
    "mismatch_instance", "mismatch_class", "mismatch_quantity", "needs_replacement",
    "non_conformant", "unavailable", NULL};
static const char *const btts[] = {"bol",    "cert",     "desadv", "inv",     "pedigree",
                                   "po",     "poc",      "prodorder", "recadv", "rma",
                                   "testprd", "testres", "upevt",  NULL};
static const char *const sdts[] = {"owning_party", "possessing_party", "location", NULL};
static const char *const ers[] = {"did_not_occur", "incorrect_data", NULL};
static const char *const measurements[] = {
    "AbsoluteHumidity", "AbsorbedDose", "AbsorbedDoseRate", "Acceleration", "Radioactivity",
    "Altitude", "AmountOfSubstance", "AmountOfSubstancePerUnitVolume", "Angle",
    "AngularAcceleration", "AngularMomentum", "AngularVelocity", "Area", "Capacitance",
    "Conductance", "Conductivity", "Count", "Density", "Dimensionless", "DoseEquivalent",
    "DoseEquivalentRate", "DynamicViscosity", "ElectricCharge", "ElectricCurrent",
    "ElectricCurrentDensity", "ElectricFieldStrength", "Energy", "Exposure", "Force",
    "Frequency", "Illuminance", "Inductance", "Irradiance", "KinematicViscosity", "Length",
    "LinearMomentum", "Luminance", "LuminousFlux", "LuminousIntensity", "MagneticFlux",
    "MagneticFluxDensity", "MagneticVectorPotential", "Mass", "MassConcentration",
    "MassFlowRate", "MassPerAreaTime", "MemoryCapacity", "MolalityOfSolute", "MolarEnergy",
    "MolarMass", "MolarVolume", "Power", "Pressure", "RadiantFlux", "RadiantIntensity",
    "RelativeHumidity", "Resistance", "Resistivity", "SolidAngle", "SpecificVolume", "Speed",
    "SurfaceDensity", "SurfaceTension", "Temperature", "Time", "Torque", "Voltage", "Volume",
    "VolumeFlowRate", "VolumeFraction", "VolumetricFlux", "Wavenumber", NULL};
static const char *const alerts[] = {"ALARM_CONDITION", "ERROR_CONDITION", NULL};
static const char *const components[] = {
    "x", "y", "z", "axial_distance", "azimuth", "height", "spherical_radius", "polar_angle",
    "elevation_angle", "easting", "northing", "latitude", "longitude", "altitude", NULL};

static int in_list(const char *const *list, const char *w)
{
    for (; *list; list++)
        if (strcmp(*list, w) == 0)
            return 1;
    return 0;
}

static const char *const *vocab_list(lds_epcis_vocab v)
{
    switch (v) {
    case LDS_EPCIS_VOCAB_BIZSTEP: return bizsteps;
    case LDS_EPCIS_VOCAB_DISPOSITION: return dispositions;
    case LDS_EPCIS_VOCAB_BTT: return btts;
    case LDS_EPCIS_VOCAB_SDT: return sdts;
    case LDS_EPCIS_VOCAB_ER: return ers;
    }
    return NULL;
}

int lds_epcis_cbv_known(lds_epcis_vocab vocab, const char *word)
{
    const char *const *l = vocab_list(vocab);
    return l && word && in_list(l, word);
}

int lds_epcis__measurement_known(const char *word)
{
    return in_list(measurements, word);
}
int lds_epcis__alert_known(const char *word)
{
    return in_list(alerts, word);
}
int lds_epcis__component_known(const char *word)
{
    return in_list(components, word);
}

static const char *vocab_term(lds_epcis_vocab v)
{
    switch (v) {
    case LDS_EPCIS_VOCAB_BIZSTEP: return "BizStep-";
    case LDS_EPCIS_VOCAB_DISPOSITION: return "Disp-";
    case LDS_EPCIS_VOCAB_BTT: return "BTT-";
    case LDS_EPCIS_VOCAB_SDT: return "SDT-";
    case LDS_EPCIS_VOCAB_ER: return "ER-";
    }
    return "";
}

static const char *vocab_urn(lds_epcis_vocab v)
{
    switch (v) {
    case LDS_EPCIS_VOCAB_BIZSTEP: return "urn:epcglobal:cbv:bizstep:";
    case LDS_EPCIS_VOCAB_DISPOSITION: return "urn:epcglobal:cbv:disp:";
    case LDS_EPCIS_VOCAB_BTT: return "urn:epcglobal:cbv:btt:";
    case LDS_EPCIS_VOCAB_SDT: return "urn:epcglobal:cbv:sdt:";
    case LDS_EPCIS_VOCAB_ER: return "urn:epcglobal:cbv:er:";
    }
    return "";
}

const char *lds_epcis__cbv_web_prefix(lds_epcis_vocab vocab)
{
    switch (vocab) {
    case LDS_EPCIS_VOCAB_BIZSTEP: return "https://ref.gs1.org/cbv/BizStep-";
    case LDS_EPCIS_VOCAB_DISPOSITION: return "https://ref.gs1.org/cbv/Disp-";
    case LDS_EPCIS_VOCAB_BTT: return "https://ref.gs1.org/cbv/BTT-";
    case LDS_EPCIS_VOCAB_SDT: return "https://ref.gs1.org/cbv/SDT-";
    case LDS_EPCIS_VOCAB_ER: return "https://ref.gs1.org/cbv/ER-";
    }
    return "";
}

static const char *after(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

const char *lds_epcis__cbv_word(lds_epcis_vocab vocab, const char *v)
{
    const char *r, *term = vocab_term(vocab);
    if ((r = after(v, vocab_urn(vocab))))
        return r;
    if ((r = after(v, "https://ref.gs1.org/cbv/")) || (r = after(v, "http://ref.gs1.org/cbv/")) ||
        (r = after(v, "cbv:")))
        return after(r, term);
    return NULL;
}

void lds_epcis_cbv_normalize(lds_epcis_vocab vocab, const char *value, lds_buf *out)
{
    const char *w;
    if (!value)
        return;
    if (lds_epcis_cbv_known(vocab, value)) {
        lds_buf_adds(out, lds_epcis__cbv_web_prefix(vocab));
        lds_buf_adds(out, value);
    } else if ((w = lds_epcis__cbv_word(vocab, value)) != NULL) {
        lds_buf_adds(out, lds_epcis__cbv_web_prefix(vocab));
        lds_buf_adds(out, w);
    } else {
        lds_buf_adds(out, value);
    }
}

/* ------------------------------------------------------------------ */
/* JSON pointers and strings                                           */
/* ------------------------------------------------------------------ */

size_t lds_epcis__ptr_push(char *p, size_t len, size_t cap, const char *tok)
{
    if (len + 1 >= cap)
        return len;
    p[len++] = '/';
    for (; *tok && len + 2 < cap; tok++) {
        if (*tok == '~' || *tok == '/') {
            p[len++] = '~';
            p[len++] = *tok == '~' ? '0' : '1';
        } else {
            p[len++] = *tok;
        }
    }
    p[len] = '\0';
    return len;
}

size_t lds_epcis__ptr_push_idx(char *p, size_t len, size_t cap, size_t idx)
{
    char num[24], *q = num + sizeof num - 1;
    *q = '\0';
    do {
        *--q = (char)('0' + idx % 10);
        idx /= 10;
    } while (idx);
    return lds_epcis__ptr_push(p, len, cap, q);
}

void lds_epcis__json_str(lds_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t plain = 0;
    while (plain < n && (unsigned char)s[plain] >= 0x20 && s[plain] != '"' && s[plain] != '\\')
        plain++;
    if (plain == n) { /* the usual case, nothing to escape: one copy */
        if (lds_buf_grow(b, n + 2) != 0)
            return;
        char *w = b->ptr + b->len;
        w[0] = '"';
        if (n)
            memcpy(w + 1, s, n);
        w[n + 1] = '"';
        w[n + 2] = '\0';
        b->len += n + 2;
        return;
    }
    lds_buf_addc(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        lds_buf_add(b, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': lds_buf_adds(b, "\\\""); break;
        case '\\': lds_buf_adds(b, "\\\\"); break;
        case '\b': lds_buf_adds(b, "\\b"); break;
        case '\f': lds_buf_adds(b, "\\f"); break;
        case '\n': lds_buf_adds(b, "\\n"); break;
        case '\r': lds_buf_adds(b, "\\r"); break;
        case '\t': lds_buf_adds(b, "\\t"); break;
        default: {
            char esc[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
            lds_buf_adds(b, esc);
        }
        }
    }
    lds_buf_add(b, s + run, n - run);
    lds_buf_addc(b, '"');
}
