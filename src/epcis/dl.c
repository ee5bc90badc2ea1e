/*
 * dl.c — EPC URIs (Tag Data Standard 2.0 "pure identity" forms) and GS1
 * Digital Link URIs.  Validation of urn:epc: syntax, and conversion of both
 * forms to the constrained canonical Digital Link URI the CBV 2.0 event hash
 * ID uses (https://id.gs1.org/<AI>/<key>..., lowest granularity, no query).
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include "epcis/epcis_int.h"

#define DL_ROOT "https://id.gs1.org"

/* ---- character classes ---- */

/* GS1 AI encodable character set 82 as written in EPC URIs: the listed
 * characters, or a %-escape.  Returns the number of characters (an escape
 * counts once) or -1. */
static int gs3a3_len(const char *s, size_t n)
{
    int count = 0;
    for (size_t i = 0; i < n; i++, count++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 2 >= n)
                return -1;
            if (!isxdigit((unsigned char)s[i + 1]) || !isxdigit((unsigned char)s[i + 2]))
                return -1;
            i += 2;
            continue;
        }
        if (isalnum(c) || strchr("!')(*+,.:;=_-", c))
            continue;
        return -1;
    }
    return count;
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* Characters allowed in the final DL values of the reference normaliser. */
static int dl_cset(unsigned char c)
{
    return c == '"' || c == '\'' || c == '-' || c == '.' || (c >= '0' && c <= '9') ||
           (c >= ';' && c <= '?') || (c >= 'A' && c <= 'Z') || c == '_' || (c >= 'a' && c <= 'z');
}

static int cset_run(const char *s, size_t n, size_t max)
{
    if (n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!dl_cset((unsigned char)s[i]))
            return 0;
    return 1;
}

/* GS1 mod-10 check digit of `n` digits (weights 3,1,... from the right). */
static char check_digit(const char *d, size_t n)
{
    int sum = 0, w = 3;
    for (size_t i = n; i-- > 0; w = 4 - w)
        sum += (d[i] - '0') * w;
    return (char)('0' + (10 - sum % 10) % 10);
}

/* Percent-encodes the characters GS1 Digital Link requires escaped that EPC
 * URIs leave bare; existing %-escapes are kept. */
static void add_pct(lds_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (strchr("!()*+,:", c) && c) {
            char e[4] = {'%', hex[c >> 4], hex[c & 15], 0};
            lds_buf_adds(b, e);
        } else {
            lds_buf_addc(b, (char)c);
        }
    }
}

/* ---- EPC URI parsing ---- */

typedef struct epc_parts {
    lds_epcis_epc_kind kind;
    const char *scheme;
    size_t scheme_len;
    const char *f[6]; /* fields split on '.' (the last one takes the rest) */
    size_t fl[6];
    int nf;
} epc_parts;

static int scheme_is(const epc_parts *p, const char *name)
{
    return p->scheme_len && name[0] == p->scheme[0] && strncmp(name, p->scheme, p->scheme_len) == 0 &&
           name[p->scheme_len] == '\0';
}

/* Splits the body into at most `max` fields; the last takes the remainder. */
static void split_fields(epc_parts *p, const char *body, int max)
{
    p->nf = 0;
    const char *s = body;
    while (p->nf < max - 1) {
        const char *dot = strchr(s, '.');
        if (!dot)
            break;
        p->f[p->nf] = s;
        p->fl[p->nf] = (size_t)(dot - s);
        p->nf++;
        s = dot + 1;
    }
    p->f[p->nf] = s;
    p->fl[p->nf] = strlen(s);
    p->nf++;
}

static int parse_epc(const char *s, epc_parts *p)
{
    const char *r;
    memset(p, 0, sizeof *p);
    if (strncmp(s, "urn:epc:id:", 11) == 0) {
        p->kind = LDS_EPCIS_EPC_ID;
        r = s + 11;
    } else if (strncmp(s, "urn:epc:class:", 14) == 0) {
        p->kind = LDS_EPCIS_EPC_CLASS;
        r = s + 14;
    } else if (strncmp(s, "urn:epc:idpat:", 14) == 0) {
        p->kind = LDS_EPCIS_EPC_IDPAT;
        r = s + 14;
    } else {
        return -1;
    }
    const char *colon = strchr(r, ':');
    if (!colon)
        return 0;
    p->scheme = r;
    p->scheme_len = (size_t)(colon - r);
    return 1;
}

/* Company prefix (6..12 digits) followed by a field of `total - len(C)`
 * digits (total 0 = no such field). */
static int cp_ok(const epc_parts *p, size_t total)
{
    if (p->fl[0] < 6 || p->fl[0] > 12 || !all_digits(p->f[0], p->fl[0]))
        return 0;
    if (total == 0)
        return 1;
    return p->nf > 1 && p->fl[1] + p->fl[0] == total && all_digits(p->f[1], p->fl[1]);
}

static int gs_ok(const char *s, size_t n, int min, int max)
{
    int len = gs3a3_len(s, n);
    return len >= min && len <= max;
}

static const char *check_id(epc_parts *p, const char *body)
{
    if (scheme_is(p, "sgtin")) {
        split_fields(p, body, 3);
        if (p->nf != 3 || !cp_ok(p, 13) || !gs_ok(p->f[2], p->fl[2], 1, 20))
            return "sgtin must be CompanyPrefix.ItemRef.Serial (13 digits, serial 1-20 chars)";
    } else if (scheme_is(p, "sscc") || scheme_is(p, "gsrn") || scheme_is(p, "gsrnp")) {
        split_fields(p, body, 2);
        if (p->nf != 2 || !cp_ok(p, 17))
            return "expected CompanyPrefix.Reference with 17 digits in total";
    } else if (scheme_is(p, "gsin")) {
        split_fields(p, body, 2);
        if (p->nf != 2 || !cp_ok(p, 16))
            return "gsin must be CompanyPrefix.ShipperRef with 16 digits in total";
    } else if (scheme_is(p, "pgln")) {
        split_fields(p, body, 2);
        if (p->nf != 2 || !cp_ok(p, 12))
            return "pgln must be CompanyPrefix.PartyRef with 12 digits in total";
    } else if (scheme_is(p, "sgln")) {
        split_fields(p, body, 3);
        if (p->nf != 3 || !cp_ok(p, 12) || !gs_ok(p->f[2], p->fl[2], 1, 20))
            return "sgln must be CompanyPrefix.LocationRef.Extension (12 digits)";
    } else if (scheme_is(p, "grai")) {
        split_fields(p, body, 3);
        if (p->nf != 3 || !cp_ok(p, 12) || !gs_ok(p->f[2], p->fl[2], 1, 16))
            return "grai must be CompanyPrefix.AssetType.Serial (12 digits)";
    } else if (scheme_is(p, "gdti")) {
        split_fields(p, body, 3);
        if (p->nf != 3 || !cp_ok(p, 12) || !gs_ok(p->f[2], p->fl[2], 0, 17))
            return "gdti must be CompanyPrefix.DocumentType.Serial (12 digits)";
    } else if (scheme_is(p, "sgcn")) {
        split_fields(p, body, 3);
        if (p->nf != 3 || !cp_ok(p, 12) || p->fl[2] < 1 || p->fl[2] > 12 ||
            !all_digits(p->f[2], p->fl[2]))
            return "sgcn must be CompanyPrefix.CouponRef.Serial (12 digits, numeric serial)";
    } else if (scheme_is(p, "giai") || scheme_is(p, "ginc")) {
        split_fields(p, body, 2);
        if (p->nf != 2 || !cp_ok(p, 0) || !gs_ok(p->f[1], p->fl[1], 1, 30 - (int)p->fl[0]))
            return "expected CompanyPrefix.Reference (at most 30 characters)";
    } else if (scheme_is(p, "cpi")) {
        split_fields(p, body, 3);
        if (p->nf != 3 || !cp_ok(p, 0) || p->fl[1] < 1 || p->fl[0] + p->fl[1] > 30 + 4 ||
            p->fl[2] < 1 || p->fl[2] > 12 || !all_digits(p->f[2], p->fl[2]))
            return "cpi must be CompanyPrefix.PartRef.Serial";
    } else if (scheme_is(p, "itip")) {
        split_fields(p, body, 5);
        if (p->nf != 5 || !cp_ok(p, 13) || p->fl[2] != 2 || !all_digits(p->f[2], 2) ||
            p->fl[3] != 2 || !all_digits(p->f[3], 2) || !gs_ok(p->f[4], p->fl[4], 1, 20))
            return "itip must be CompanyPrefix.ItemRef.Piece.Total.Serial";
    } else if (scheme_is(p, "upui")) {
        split_fields(p, body, 3);
        if (p->nf != 3 || !cp_ok(p, 13) || !gs_ok(p->f[2], p->fl[2], 1, 28))
            return "upui must be CompanyPrefix.ItemRef.TPX";
    } else if (scheme_is(p, "gid")) {
        split_fields(p, body, 3);
        if (p->nf != 3 || !all_digits(p->f[0], p->fl[0]) || !all_digits(p->f[1], p->fl[1]) ||
            !all_digits(p->f[2], p->fl[2]) || !p->fl[0] || !p->fl[1] || !p->fl[2])
            return "gid must be Manager.Class.Serial (decimal)";
    } else {
        /* usdod, adi, bic, imovn and future schemes: syntax only. */
        if (!*body || gs3a3_len(body, strlen(body)) < 0)
            return "malformed EPC URI body";
    }
    return NULL;
}

int lds_epcis__epc_check(const char *s, const char **why)
{
    epc_parts p;
    const char *reason = NULL;
    int r = parse_epc(s, &p);
    if (r < 0)
        return -1;
    if (r == 0) {
        reason = "EPC URI needs a scheme (urn:epc:id:<scheme>:...)";
    } else {
        const char *body = p.scheme + p.scheme_len + 1;
        if (p.scheme_len == 0) {
            reason = "EPC URI needs a scheme";
        } else if (p.kind == LDS_EPCIS_EPC_ID) {
            reason = check_id(&p, body);
        } else if (p.kind == LDS_EPCIS_EPC_CLASS) {
            if (scheme_is(&p, "lgtin")) {
                split_fields(&p, body, 3);
                if (p.nf != 3 || !cp_ok(&p, 13) || !gs_ok(p.f[2], p.fl[2], 1, 20))
                    reason = "lgtin must be CompanyPrefix.ItemRef.Lot (13 digits, lot 1-20 chars)";
            } else if (!*body || gs3a3_len(body, strlen(body)) < 0) {
                reason = "malformed EPC class URI";
            }
        } else { /* idpat: fields are digits, references or '*' */
            if (!*body || gs3a3_len(body, strlen(body)) < 0)
                reason = "malformed EPC pattern URI";
        }
    }
    if (why)
        *why = reason;
    return reason == NULL;
}

/* ---- EPC URI -> canonical DL ---- */

static void add_key_cd(lds_buf *b, const char *raw, size_t n)
{
    lds_buf_add(b, raw, n);
    lds_buf_addc(b, check_digit(raw, n));
}

/* Indicator digit + company prefix + rest of the item reference: the 13
 * digits of a GTIN before its check digit. */
static void gtin_raw(const epc_parts *p, char out[14])
{
    out[0] = p->f[1][0];
    memcpy(out + 1, p->f[0], p->fl[0]);
    memcpy(out + 1 + p->fl[0], p->f[1] + 1, p->fl[1] - 1);
}

static void cp_concat(const epc_parts *p, char *out, size_t *n)
{
    memcpy(out, p->f[0], p->fl[0]);
    memcpy(out + p->fl[0], p->f[1], p->fl[1]);
    *n = p->fl[0] + p->fl[1];
}

static int epc_to_dl(const char *s, lds_buf *b)
{
    epc_parts p;
    char raw[32];
    size_t n;
    if (parse_epc(s, &p) != 1)
        return 0;
    const char *body = p.scheme + p.scheme_len + 1;
    if (p.kind == LDS_EPCIS_EPC_ID) {
        if (check_id(&p, body) != NULL)
            return 0;
        if (scheme_is(&p, "sgtin") || scheme_is(&p, "upui")) {
            gtin_raw(&p, raw);
            lds_buf_adds(b, DL_ROOT "/01/");
            add_key_cd(b, raw, 13);
            lds_buf_adds(b, scheme_is(&p, "sgtin") ? "/21/" : "/235/");
            add_pct(b, p.f[2], p.fl[2]);
        } else if (scheme_is(&p, "sscc")) {
            raw[0] = p.f[1][0];
            memcpy(raw + 1, p.f[0], p.fl[0]);
            memcpy(raw + 1 + p.fl[0], p.f[1] + 1, p.fl[1] - 1);
            lds_buf_adds(b, DL_ROOT "/00/");
            add_key_cd(b, raw, 17);
        } else if (scheme_is(&p, "sgln")) {
            cp_concat(&p, raw, &n);
            lds_buf_adds(b, DL_ROOT "/414/");
            add_key_cd(b, raw, n);
            if (!(p.fl[2] == 1 && p.f[2][0] == '0')) {
                lds_buf_adds(b, "/254/");
                add_pct(b, p.f[2], p.fl[2]);
            }
        } else if (scheme_is(&p, "grai")) {
            raw[0] = '0';
            cp_concat(&p, raw + 1, &n);
            lds_buf_adds(b, DL_ROOT "/8003/");
            add_key_cd(b, raw, n + 1);
            add_pct(b, p.f[2], p.fl[2]);
        } else if (scheme_is(&p, "giai") || scheme_is(&p, "ginc")) {
            lds_buf_adds(b, scheme_is(&p, "giai") ? DL_ROOT "/8004/" : DL_ROOT "/401/");
            lds_buf_add(b, p.f[0], p.fl[0]);
            add_pct(b, p.f[1], p.fl[1]);
        } else if (scheme_is(&p, "gsrn") || scheme_is(&p, "gsrnp") || scheme_is(&p, "gsin") ||
                   scheme_is(&p, "pgln")) {
            cp_concat(&p, raw, &n);
            lds_buf_adds(b, scheme_is(&p, "gsrn")    ? DL_ROOT "/8018/"
                            : scheme_is(&p, "gsrnp") ? DL_ROOT "/8017/"
                            : scheme_is(&p, "gsin")  ? DL_ROOT "/402/"
                                                     : DL_ROOT "/417/");
            add_key_cd(b, raw, n);
        } else if (scheme_is(&p, "gdti") || scheme_is(&p, "sgcn")) {
            cp_concat(&p, raw, &n);
            lds_buf_adds(b, scheme_is(&p, "gdti") ? DL_ROOT "/253/" : DL_ROOT "/255/");
            add_key_cd(b, raw, n);
            add_pct(b, p.f[2], p.fl[2]);
        } else if (scheme_is(&p, "cpi")) {
            lds_buf_adds(b, DL_ROOT "/8010/");
            add_pct(b, p.f[0], p.fl[0]);
            add_pct(b, p.f[1], p.fl[1]);
            lds_buf_adds(b, "/8011/");
            lds_buf_add(b, p.f[2], p.fl[2]);
        } else if (scheme_is(&p, "itip")) {
            gtin_raw(&p, raw);
            lds_buf_adds(b, DL_ROOT "/8006/");
            add_key_cd(b, raw, 13);
            lds_buf_add(b, p.f[2], 2);
            lds_buf_add(b, p.f[3], 2);
            lds_buf_adds(b, "/21/");
            add_pct(b, p.f[4], p.fl[4]);
        } else {
            return 0;
        }
        return 1;
    }
    if (p.kind == LDS_EPCIS_EPC_CLASS) {
        if (!scheme_is(&p, "lgtin"))
            return 0;
        split_fields(&p, body, 3);
        if (p.nf != 3 || !cp_ok(&p, 13) || !gs_ok(p.f[2], p.fl[2], 1, 20))
            return 0;
        gtin_raw(&p, raw);
        lds_buf_adds(b, DL_ROOT "/01/");
        add_key_cd(b, raw, 13);
        lds_buf_adds(b, "/10/");
        add_pct(b, p.f[2], p.fl[2]);
        return 1;
    }
    /* idpat: only the fully qualified class patterns "C.R.*" have a DL form. */
    int gtin_like = scheme_is(&p, "sgtin") || scheme_is(&p, "upui");
    if (gtin_like || scheme_is(&p, "grai") || scheme_is(&p, "gdti") || scheme_is(&p, "sgcn")) {
        split_fields(&p, body, 3);
        if (p.nf != 3 || p.fl[2] != 1 || p.f[2][0] != '*' || !cp_ok(&p, gtin_like ? 13 : 12))
            return 0;
        if (gtin_like) {
            gtin_raw(&p, raw);
            lds_buf_adds(b, DL_ROOT "/01/");
            add_key_cd(b, raw, 13);
        } else if (scheme_is(&p, "grai")) {
            raw[0] = '0';
            cp_concat(&p, raw + 1, &n);
            lds_buf_adds(b, DL_ROOT "/8003/");
            add_key_cd(b, raw, n + 1);
        } else {
            cp_concat(&p, raw, &n);
            lds_buf_adds(b, scheme_is(&p, "gdti") ? DL_ROOT "/253/" : DL_ROOT "/255/");
            add_key_cd(b, raw, n);
        }
        return 1;
    }
    if (scheme_is(&p, "itip")) {
        split_fields(&p, body, 5);
        if (p.nf != 5 || !cp_ok(&p, 13) || p.fl[2] != 2 || !all_digits(p.f[2], 2) ||
            p.fl[3] != 2 || !all_digits(p.f[3], 2) || p.fl[4] != 1 || p.f[4][0] != '*')
            return 0;
        gtin_raw(&p, raw);
        lds_buf_adds(b, DL_ROOT "/8006/");
        add_key_cd(b, raw, 13);
        lds_buf_add(b, p.f[2], 2);
        lds_buf_add(b, p.f[3], 2);
        return 1;
    }
    if (scheme_is(&p, "cpi")) {
        split_fields(&p, body, 3);
        if (p.nf != 3 || !cp_ok(&p, 0) || p.fl[2] != 1 || p.f[2][0] != '*')
            return 0;
        lds_buf_adds(b, DL_ROOT "/8010/");
        add_pct(b, p.f[0], p.fl[0]);
        add_pct(b, p.f[1], p.fl[1]);
        return 1;
    }
    return 0;
}

/* ---- Digital Link URI -> canonical DL ---- */

static const char *const dl_keys[] = {"01",   "gtin", "8006", "itip",  "8010", "cpid", "414",
                                      "gln",  "417",  "party", "8017", "gsrnp", "8018", "gsrn",
                                      "255",  "gcn",  "00",   "sscc",  "253",  "gdti", "401",
                                      "ginc", "402",  "gsin", "8003",  "grai", "8004", "giai",
                                      NULL};

/* Does the path contain "/<key>/" followed by 4 digits and one more
 * non-slash character? */
static int looks_like_dl(const char *path, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (path[i] != '/')
            continue;
        for (int k = 0; dl_keys[k]; k++) {
            size_t kl = strlen(dl_keys[k]);
            if (i + kl + 6 < n + 1 && strncmp(path + i + 1, dl_keys[k], kl) == 0 &&
                path[i + 1 + kl] == '/') {
                const char *v = path + i + 2 + kl;
                size_t rest = n - (size_t)(v - path);
                if (rest >= 5 && all_digits(v, 4) && v[4] != '/')
                    return 1;
            }
        }
    }
    return 0;
}

static void replace_all(lds_buf *b, const char *from, const char *to)
{
    size_t fl = strlen(from), tl = strlen(to);
    char *hit;
    size_t pos = 0;
    while ((hit = strstr(b->ptr + pos, from)) != NULL) {
        size_t at = (size_t)(hit - b->ptr);
        size_t tail = b->len - at - fl;
        if (tl > fl && lds_buf_grow(b, tl - fl) != 0)
            return;
        hit = b->ptr + at;
        memmove(hit + tl, hit + fl, tail + 1);
        memcpy(hit, to, tl);
        b->len = b->len - fl + tl;
        pos = at + tl;
    }
}

static size_t count_digits(const char *s)
{
    size_t n = 0;
    while (isdigit((unsigned char)s[n]))
        n++;
    return n;
}

/* The final syntax the reference accepts; `u` starts after DL_ROOT. */
static int dl_final_ok(const char *u)
{
    size_t n = strlen(u), d;
    const char *v;
#define KEY(k) (strncmp(u, "/" k "/", strlen(k) + 2) == 0 && (v = u + strlen(k) + 2))
    if (KEY("00"))
        return strlen(v) == 18 && all_digits(v, 18);
    if (KEY("01") || KEY("8006")) {
        size_t kd = u[1] == '0' ? 14 : 18;
        if (count_digits(v) < kd)
            return 0;
        v += kd;
        if (!*v)
            return 1;
        if (strncmp(v, "/21/", 4) == 0 || strncmp(v, "/10/", 4) == 0)
            return cset_run(v + 4, strlen(v + 4), 20);
        if (kd == 14 && strncmp(v, "/235/", 5) == 0)
            return cset_run(v + 5, strlen(v + 5), 28);
        return 0;
    }
    if (KEY("253"))
        return count_digits(v) >= 13 && cset_run(v + 13, strlen(v + 13), 17);
    if (KEY("255")) {
        d = count_digits(v);
        return d == strlen(v) && d >= 13 && d <= 25;
    }
    if (KEY("401") || KEY("8004"))
        return cset_run(v, strlen(v), 30);
    if (KEY("402"))
        return strlen(v) == 17 && all_digits(v, 17);
    if (KEY("414")) {
        if (count_digits(v) < 13)
            return 0;
        if (!v[13])
            return 1;
        return strncmp(v + 13, "/254/", 5) == 0 && cset_run(v + 18, strlen(v + 18), 20);
    }
    if (KEY("417"))
        return strlen(v) == 13 && all_digits(v, 13);
    if (KEY("8003"))
        return count_digits(v) >= 14 && cset_run(v + 14, strlen(v + 14), 16);
    if (KEY("8010")) {
        size_t i = 0;
        while (v[i] && (v[i] == '#' || v[i] == '-' || v[i] == '/' || isdigit((unsigned char)v[i]) ||
                        (v[i] >= 'A' && v[i] <= 'Z')))
            i++;
        if (v[i])
            return 0;
        const char *s8011 = strstr(v, "/8011/");
        if (s8011) {
            size_t before = (size_t)(s8011 - v);
            const char *ser = s8011 + 6;
            return before <= 30 && strlen(ser) <= 12 && all_digits(ser, strlen(ser));
        }
        return i <= 30;
    }
    if (KEY("8017") || KEY("8018"))
        return strlen(v) == 18 && all_digits(v, 18);
#undef KEY
    (void)n;
    return 0;
}

static int dl_normalise(const char *s, lds_buf *out)
{
    const char *q;
    size_t end;
    if (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0)
        return 0;
    const char *path = strchr(s + (s[4] == 's' ? 8 : 7), '/');
    if (!path)
        return 0;
    size_t plen = strcspn(path, "?#");
    if (!looks_like_dl(path, plen))
        return 0;
    q = strchr(s, '?');
    end = q ? (size_t)(q - s) : strlen(s);

    lds_buf u = LDS_BUF_INIT;
    lds_buf_add(&u, s, end);
    static const char *const shorts[][2] = {
        {"/gtin/", "/01/"},   {"/itip/", "/8006/"}, {"/cpid/", "/8010/"}, {"/gln/", "/414/"},
        {"/party/", "/417/"}, {"/gsrnp/", "/8017/"}, {"/gsrn/", "/8018/"}, {"/gcn/", "/255/"},
        {"/sscc/", "/00/"},   {"/gdti/", "/253/"},  {"/ginc/", "/401/"},  {"/gsin/", "/402/"},
        {"/grai/", "/8003/"}, {"/giai/", "/8004/"}, {"/cpv/", "/22/"},    {"/lot/", "/10/"},
        {"/ser/", "/21/"}};
    for (size_t i = 0; i < sizeof shorts / sizeof shorts[0]; i++)
        replace_all(&u, shorts[i][0], shorts[i][1]);

    /* Move onto the canonical host unless already there. */
    static const char *const prio[] = {"/00/",   "/01/",   "/253/",  "/255/",  "/401/",
                                       "/402/",  "/414/",  "/417/",  "/8003/", "/8004/",
                                       "/8006/", "/8010/", "/8017/", "/8018/", NULL};
    int canonical = 0;
    if (strncmp(u.ptr, DL_ROOT "/", sizeof DL_ROOT) == 0) {
        const char *k = u.ptr + sizeof DL_ROOT - 1;
        for (int i = 0; prio[i]; i++) {
            size_t kl = strlen(prio[i]);
            if (strncmp(k, prio[i], kl) == 0 && all_digits(k + kl, 4) && k[kl + 4] &&
                k[kl + 4] != '/')
                canonical = 1;
        }
    }
    lds_buf v = LDS_BUF_INIT;
    if (!canonical) {
        for (int i = 0; prio[i]; i++) {
            const char *hit = strstr(u.ptr, prio[i]);
            if (hit) {
                lds_buf_adds(&v, DL_ROOT);
                lds_buf_adds(&v, hit);
                break;
            }
        }
        if (!v.len)
            lds_buf_adds(&v, u.ptr);
    } else {
        lds_buf_adds(&v, u.ptr);
    }
    lds_buf_release(&u);

    /* GTINs padded to 14 digits. */
    const char *g01 = DL_ROOT "/01/";
    size_t gl = strlen(g01);
    if (strncmp(v.ptr, g01, gl) == 0) {
        size_t nd = count_digits(v.ptr + gl);
        const char *pad = nd >= 14 ? "" : nd == 13 ? "0" : nd == 12 ? "00" : nd >= 8 ? "000000" : "";
        if (*pad) {
            lds_buf w = LDS_BUF_INIT;
            lds_buf_add(&w, v.ptr, gl);
            lds_buf_adds(&w, pad);
            lds_buf_adds(&w, v.ptr + gl);
            lds_buf_release(&v);
            v = w;
        }
    }

    /* Drop the consumer product variant (AI 22) of a GTIN or ITIP, then keep
     * only the lowest granularity (a serial makes the lot redundant). */
    {
        size_t kd = 0, kl = 0;
        if (strncmp(v.ptr, DL_ROOT "/01/", sizeof DL_ROOT + 3) == 0)
            kd = 14, kl = sizeof DL_ROOT + 3;
        else if (strncmp(v.ptr, DL_ROOT "/8006/", sizeof DL_ROOT + 5) == 0)
            kd = 18, kl = sizeof DL_ROOT + 5;
        if (kd && v.len >= kl + kd && all_digits(v.ptr + kl, kd)) {
            char *after_key = v.ptr + kl + kd;
            if (strncmp(after_key, "/22/", 4) == 0) {
                char *cpv = after_key + 4;
                char *slash = strchr(cpv, '/');
                size_t rest = strlen(cpv);
                int ok = rest <= 20;
                for (size_t i = 0; ok && i < rest; i++)
                    ok = dl_cset((unsigned char)cpv[i]) || cpv[i] == '/';
                if (ok) {
                    size_t keep = slash ? strlen(slash) : 0;
                    if (slash)
                        memmove(after_key, slash, keep + 1);
                    else
                        after_key[0] = '\0';
                    v.len = (size_t)(after_key - v.ptr) + keep;
                }
            }
            if (strncmp(after_key, "/10/", 4) == 0) {
                char *slash = strchr(after_key + 4, '/');
                if (slash && strncmp(slash, "/21/", 4) == 0 && !strchr(slash + 4, '/') &&
                    cset_run(after_key + 4, (size_t)(slash - after_key - 4), 20) &&
                    cset_run(slash + 4, strlen(slash + 4), 20)) {
                    size_t keep = strlen(slash);
                    memmove(after_key, slash, keep + 1);
                    v.len = (size_t)(after_key - v.ptr) + keep;
                }
            }
        }
    }

    int ok = !v.oom && strncmp(v.ptr, DL_ROOT, sizeof DL_ROOT - 1) == 0 &&
             dl_final_ok(v.ptr + sizeof DL_ROOT - 1);
    if (ok)
        lds_buf_add(out, v.ptr, v.len);
    lds_buf_release(&v);
    return ok;
}

static int uri_to_dl(const char *uri, lds_buf *out)
{
    if (strncmp(uri, "urn:epc:", 8) == 0)
        return epc_to_dl(uri, out);
    return dl_normalise(uri, out);
}

/*
 * A per-thread memo of recent conversions.  A capture converts the same
 * identifier several times (its event hash ID, its index row, the lineage
 * check and index) and documents repeat locations and classes; a
 * conversion costs a parse, a syntax check and a check digit.  Entries are
 * keyed by the whole input (compared, not just hashed), so the memo only
 * ever returns what the conversion itself would.
 */
#define DL_MEMO 64      /* entries, a power of two */
#define DL_MEMO_IN 96   /* longest input kept */
#define DL_MEMO_OUT 144 /* longest output kept */

typedef struct dl_memo_entry {
    uint32_t hash;
    unsigned char used, ok, in_len, out_len;
    char in[DL_MEMO_IN];
    char out[DL_MEMO_OUT];
} dl_memo_entry;

static _Thread_local dl_memo_entry dl_memo[DL_MEMO];

int lds_epcis_uri_to_dl(const char *uri, lds_buf *out)
{
    if (!uri)
        return 0;
    size_t n = strlen(uri);
    if (n >= DL_MEMO_IN)
        return uri_to_dl(uri, out);
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)uri[i]) * 16777619u;
    dl_memo_entry *e = &dl_memo[h & (DL_MEMO - 1)];
    if (e->used && e->hash == h && e->in_len == n && memcmp(e->in, uri, n) == 0) {
        if (e->ok)
            lds_buf_add(out, e->out, e->out_len);
        return e->ok;
    }
    size_t mark = out->len;
    int ok = uri_to_dl(uri, out);
    if (out->oom || (ok && out->len - mark >= DL_MEMO_OUT))
        return ok;
    e->used = 1;
    e->hash = h;
    e->ok = (unsigned char)(ok != 0);
    e->in_len = (unsigned char)n;
    memcpy(e->in, uri, n);
    e->out_len = (unsigned char)(ok ? out->len - mark : 0);
    if (ok)
        memcpy(e->out, out->ptr + mark, e->out_len);
    return ok;
}

/* Primary keys whose value starts with a fixed number of digits ending in a
 * GS1 check digit: key, alias, digits (0 = GTIN, 8/12/13/14 padded). */
static const struct {
    const char *ai, *alias;
    size_t digits;
} dl_check_keys[] = {
    {"01", "gtin", 0},    {"00", "sscc", 18},   {"414", "gln", 13},   {"417", "party", 13},
    {"8017", "gsrnp", 18}, {"8018", "gsrn", 18}, {"402", "gsin", 17}, {"253", "gdti", 13},
    {"255", "gcn", 13},   {"8006", "itip", 14},
    /* GRAI (8003) is not checked: OpenEPCIS's valid test documents carry
     * GRAIs whose check digit does not verify. */
};

int lds_epcis__dl_check(const char *s, const char **why)
{
    if (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0)
        return -1;
    const char *path = strchr(s + (s[4] == 's' ? 8 : 7), '/');
    if (!path)
        return -1;
    size_t plen = strcspn(path, "?#");
    if (!looks_like_dl(path, plen))
        return -1;
    for (size_t i = 0; i < plen; i++) {
        if (path[i] != '/')
            continue;
        for (size_t k = 0; k < sizeof dl_check_keys / sizeof dl_check_keys[0]; k++) {
            const char *names[2] = {dl_check_keys[k].ai, dl_check_keys[k].alias};
            for (int a = 0; a < 2; a++) {
                size_t nl = strlen(names[a]);
                if (strncmp(path + i + 1, names[a], nl) != 0 || path[i + 1 + nl] != '/')
                    continue;
                const char *v = path + i + 2 + nl;
                size_t nd = count_digits(v), want = dl_check_keys[k].digits;
                if (want == 0) { /* GTIN-8/12/13/14 */
                    if (nd != 8 && nd != 12 && nd != 13 && nd != 14) {
                        *why = "a GTIN has 8, 12, 13 or 14 digits";
                        return 0;
                    }
                    want = nd;
                } else if (nd < want) {
                    *why = "the GS1 key is too short";
                    return 0;
                }
                if (check_digit(v, want - 1) != v[want - 1]) {
                    *why = "wrong GS1 check digit";
                    return 0;
                }
                return 1;
            }
        }
    }
    return 1;
}
