/*
 * cmd_verify.c — `lodestone verify`: offline checks of the transparency
 * ledger with nothing but files and the log's public key: a signed tree
 * head, a leaf's inclusion proof, a consistency proof between two heads, or
 * a whole passport.  Exit 0 valid, 1 invalid (with the reason), 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <sodium.h>
#include "cli.h"
#include "lodestone/alloc.h"
#include "lodestone/ledger.h"

static const char usage[] =
    "Usage:\n"
    "  lodestone verify --sth STH.json --key KEY\n"
    "  lodestone verify --sth STH.json --key KEY (--leaf FILE | --leaf-hash HASH)\n"
    "                   --proof PROOF.json [--index N]\n"
    "  lodestone verify --sth OLD.json --sth2 NEW.json --key KEY --consistency PROOF.json\n"
    "  lodestone verify --passport PASSPORT.json --key KEY\n\n"
    "Checks the transparency ledger offline.  Every form first checks the\n"
    "Ed25519 signature of each signed tree head (RFC 6962 get-sth JSON:\n"
    "tree_size, timestamp, sha256_root_hash, tree_head_signature).\n\n"
    "  --sth FILE          signed tree head (GET /api/v1/ledger/sth)\n"
    "  --sth2 FILE         the later signed tree head, for --consistency\n"
    "  --key FILE          the log's public key: base64 of the raw 32 bytes\n"
    "                      (GET /api/v1/ledger/public-key)\n"
    "  --leaf FILE         the exact leaf bytes (GET /api/v1/ledger/leaves/{index})\n"
    "  --leaf-hash HASH    or the leaf hash SHA-256(0x00 || leaf): base64 or hex,\n"
    "                      inline or in a file (text, or the raw 32 bytes)\n"
    "  --proof FILE        inclusion proof {leaf_index, audit_path:[base64...]}\n"
    "  --index N           expected leaf index (must match the proof's leaf_index)\n"
    "  --consistency FILE  consistency proof {consistency:[base64...]} from --sth to --sth2\n"
    "  --passport FILE     passport {sth:{...}, events:[{leaf_base64 or leaf_hash,\n"
    "                      leaf_index, audit_path}, ...]} (GET /api/v1/lots/{lot}/passport):\n"
    "                      the head and every event are checked; leaf_hash (public and\n"
    "                      chain tiers) proves the event was logged without disclosing it\n"
    "  -q, --quiet         print nothing on success\n"
    "  -h, --help          show this help\n\n"
    "Exit status: 0 valid, 1 invalid (the reason is printed), 2 usage error or\n"
    "unreadable file.\n";

#define VERIFY_MAX_INPUT (64u << 20) /* passports are the largest input */

/* Reads a whole file (lds_free); NULL with a message printed. */
static char *read_file(const char *what, const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "lodestone verify: %s %s: %s\n", what, path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = lds_malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n - 1, f);
        if (ferror(f) || n > VERIFY_MAX_INPUT) {
            fprintf(stderr, "lodestone verify: %s %s: %s\n", what, path,
                    n > VERIFY_MAX_INPUT ? "file too large" : strerror(errno));
            lds_free(buf);
            buf = NULL;
            break;
        }
        if (n < cap - 1)
            break;
        char *nb = lds_realloc(buf, cap * 2);
        if (!nb) {
            lds_free(buf);
            buf = NULL;
            fprintf(stderr, "lodestone verify: out of memory reading %s\n", path);
            break;
        }
        buf = nb;
        cap *= 2;
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    *len = n;
    return buf;
}

static int fail(const char *what, const lds_err *err)
{
    if (what)
        fprintf(stderr, "lodestone verify: %s: %s\n", what, err->msg);
    else
        fprintf(stderr, "lodestone verify: %s\n", err->msg);
    return LDS_EXIT_FAIL;
}

/* Loads and checks a signed tree head: 0, or an exit code. */
static int load_sth(const char *opt, const char *path, const uint8_t key[LDS_LEDGER_PUBKEY_LEN],
                    lds_ledger_sth *sth)
{
    size_t len;
    lds_err err;
    char *text = read_file(opt, path, &len);
    if (!text)
        return LDS_EXIT_USAGE;
    lds_code rc = lds_ledger_sth_from_json(text, len, sth, &err);
    lds_free(text);
    if (rc != LDS_OK)
        return fail(path, &err);
    if (lds_ledger_sth_verify(sth, key, &err) != LDS_OK)
        return fail(path, &err);
    return 0;
}

/* Parses a leaf hash given as base64 (44 chars) or hex (64 chars). */
static int parse_hash_text(const char *s, uint8_t out[LDS_LEDGER_HASH_LEN])
{
    if (strlen(s) == 2 * LDS_LEDGER_HASH_LEN) {
        for (size_t i = 0; i < LDS_LEDGER_HASH_LEN; i++) {
            unsigned v;
            if (sscanf(s + 2 * i, "%2x", &v) != 1)
                return -1;
            out[i] = (uint8_t)v;
        }
        return 0;
    }
    return lds_ledger_hash_from_base64(s, out, NULL) == LDS_OK ? 0 : -1;
}

/*
 * --leaf-hash: the hash itself, or a file holding it as text (base64 or hex,
 * surrounding whitespace ignored) or as the raw 32 bytes.  Returns 0, -1 for
 * a bad value, or -2 when a file could not be read (message printed).
 */
static int parse_leaf_hash(const char *arg, uint8_t out[LDS_LEDGER_HASH_LEN])
{
    if (parse_hash_text(arg, out) == 0)
        return 0;
    FILE *probe = fopen(arg, "rb");
    if (!probe)
        return -1;
    fclose(probe);
    size_t len;
    char *text = read_file("--leaf-hash", arg, &len);
    if (!text)
        return -2;
    int rc = -1;
    if (len == LDS_LEDGER_HASH_LEN) {
        memcpy(out, text, LDS_LEDGER_HASH_LEN);
        rc = 0;
    }
    if (rc != 0 && memchr(text, '\0', len) == NULL) { /* text: trim and parse */
        char *s = text, *e = text + len;
        while (s < e && strchr(" \t\r\n", *s))
            s++;
        while (e > s && strchr(" \t\r\n", e[-1]))
            e--;
        *e = '\0';
        rc = parse_hash_text(s, out);
    }
    lds_free(text);
    return rc;
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (!*s || *s == '-')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

static void print_b64(const uint8_t *bytes, size_t n)
{
    lds_buf b = LDS_BUF_INIT;
    lds_ledger_add_base64(&b, bytes, n);
    fputs(b.ptr, stdout);
    lds_buf_release(&b);
}

typedef struct opts {
    const char *sth, *sth2, *key, *leaf, *leaf_hash, *proof, *index, *consistency, *passport;
    int quiet;
} opts;

static int verify_inclusion(const opts *o, const uint8_t key[LDS_LEDGER_PUBKEY_LEN])
{
    lds_ledger_sth sth;
    lds_ledger_proof proof;
    uint8_t leaf[LDS_LEDGER_HASH_LEN];
    uint64_t index, want_index = 0;
    lds_err err;
    size_t len;
    int rc;
    if (o->index && parse_u64(o->index, &want_index) != 0)
        return lds_cli_usage_error("verify", "--index: '%s' is not a leaf index", o->index);
    if (o->leaf_hash) {
        int r = parse_leaf_hash(o->leaf_hash, leaf);
        if (r == -2)
            return LDS_EXIT_USAGE;
        if (r != 0)
            return lds_cli_usage_error("verify", "--leaf-hash: want 32 bytes as base64 or hex");
    }
    if ((rc = load_sth("--sth", o->sth, key, &sth)) != 0)
        return rc;
    if (o->leaf) {
        char *data = read_file("--leaf", o->leaf, &len);
        if (!data)
            return LDS_EXIT_USAGE;
        lds_ledger_hash_leaf(data, len, leaf);
        lds_free(data);
    }
    char *text = read_file("--proof", o->proof, &len);
    if (!text)
        return LDS_EXIT_USAGE;
    lds_code c = lds_ledger_inclusion_from_json(text, len, &index, &proof, &err);
    lds_free(text);
    if (c != LDS_OK)
        return fail(o->proof, &err);
    if (o->index && index != want_index) {
        fprintf(stderr,
                "lodestone verify: the proof is for leaf %" PRIu64 ", not leaf %" PRIu64 "\n",
                index, want_index);
        return LDS_EXIT_FAIL;
    }
    if (lds_ledger_verify_inclusion(index, sth.tree_size, leaf,
                                    proof.hash[0], proof.n,
                                    sth.root, &err) != LDS_OK)
        return fail(NULL, &err);
    if (!o->quiet) {
        printf("valid: leaf %" PRIu64 " is in the signed tree of %" PRIu64 " leaves (root ",
               index, sth.tree_size);
        print_b64(sth.root, LDS_LEDGER_HASH_LEN);
        printf(", timestamp %" PRIu64 ")\n", sth.timestamp_ms);
    }
    return LDS_EXIT_OK;
}

static int verify_consistency(const opts *o, const uint8_t key[LDS_LEDGER_PUBKEY_LEN])
{
    lds_ledger_sth a, b;
    lds_ledger_proof proof;
    lds_err err;
    size_t len;
    int rc;
    if ((rc = load_sth("--sth", o->sth, key, &a)) != 0 ||
        (rc = load_sth("--sth2", o->sth2, key, &b)) != 0)
        return rc;
    char *text = read_file("--consistency", o->consistency, &len);
    if (!text)
        return LDS_EXIT_USAGE;
    lds_code c = lds_ledger_consistency_from_json(text, len, &proof, &err);
    lds_free(text);
    if (c != LDS_OK)
        return fail(o->consistency, &err);
    if (lds_ledger_verify_consistency(a.tree_size, b.tree_size, a.root, b.root,
                                      proof.hash[0], proof.n,
                                      &err) != LDS_OK)
        return fail(NULL, &err);
    if (!o->quiet)
        printf("valid: the tree of %" PRIu64 " leaves is a prefix of the tree of %" PRIu64
               " leaves\n",
               a.tree_size, b.tree_size);
    return LDS_EXIT_OK;
}

/* Decodes standard base64 into a new buffer (lds_free); NULL when not base64. */
static uint8_t *b64_decode(const char *b64, size_t *n)
{
    size_t cap = strlen(b64) / 4 * 3 + 3;
    uint8_t *out = lds_malloc(cap ? cap : 1);
    if (out && sodium_base642bin(out, cap, b64, strlen(b64), NULL, n, NULL,
                                 sodium_base64_VARIANT_ORIGINAL) != 0) {
        lds_free(out);
        out = NULL;
    }
    return out;
}

/*
 * One passport event: its leaf hash comes from `leaf_base64` (the exact
 * leaf; the private tier) or `leaf_hash` (the public and chain tiers, which
 * do not disclose the event); with both they must agree, and an `event_id`
 * must be the leaf's eventID.  Then the audit path must lead from that leaf
 * to the head's root.  0 valid, else prints
 * the reason and returns LDS_EXIT_FAIL.
 */
static int passport_event(const char *file, const json_t *ev, size_t i, const lds_ledger_sth *sth)
{
    uint8_t h[LDS_LEDGER_HASH_LEN], given[LDS_LEDGER_HASH_LEN];
    lds_ledger_proof *proof = lds_malloc(sizeof *proof);
    uint64_t index = 0;
    lds_err err;
    lds_err_clear(&err);
    char why[400] = "";
    const json_t *lb = json_object_get(ev, "leaf_base64"), *lh = json_object_get(ev, "leaf_hash");
    int has_hash = 0;
    if (!proof) {
        fprintf(stderr, "lodestone verify: out of memory\n");
        return LDS_EXIT_FAIL;
    }
    if (!json_is_object(ev)) {
        snprintf(why, sizeof why, "events[%zu] is not an object", i);
    } else if (lh && (!json_is_string(lh) ||
                      lds_ledger_hash_from_base64(json_string_value(lh), given, NULL) != LDS_OK)) {
        snprintf(why, sizeof why, "events[%zu].leaf_hash must be 32 bytes in base64", i);
    } else if (lb && !json_is_string(lb)) {
        snprintf(why, sizeof why, "events[%zu].leaf_base64 must be a base64 string", i);
    } else if (!lb && !lh) {
        snprintf(why, sizeof why, "events[%zu] has neither leaf_base64 nor leaf_hash", i);
    } else {
        has_hash = lh != NULL;
        if (lb) {
            size_t n = 0;
            uint8_t *leaf = b64_decode(json_string_value(lb), &n);
            if (!leaf) {
                snprintf(why, sizeof why, "events[%zu].leaf_base64 is not base64", i);
            } else {
                lds_ledger_hash_leaf(leaf, n, h);
                /* The passport's event_id must be the eventID of the leaf it shows. */
                const json_t *claimed = json_object_get(ev, "event_id");
                json_t *body = json_is_string(claimed) ? json_loadb((const char *)leaf, n, 0, NULL)
                                                       : NULL;
                const json_t *actual = json_object_get(body, "eventID");
                if (json_is_string(claimed) &&
                    (!json_is_string(actual) ||
                     strcmp(json_string_value(claimed), json_string_value(actual)) != 0))
                    snprintf(why, sizeof why,
                             "event %zu: event_id '%.120s' is not the eventID of its leaf", i,
                             json_string_value(claimed));
                json_decref(body);
            }
            lds_free(leaf);
            if (!why[0] && has_hash && memcmp(h, given, sizeof h) != 0)
                snprintf(why, sizeof why,
                         "event %zu: leaf_hash is not the hash of leaf_base64 (tampered)", i);
        } else {
            memcpy(h, given, sizeof h);
        }
    }
    if (!why[0]) {
        char *text = json_dumps(ev, JSON_COMPACT);
        lds_code c = text ? lds_ledger_inclusion_from_json(text, strlen(text), &index, proof, &err)
                          : LDS_ENOMEM;
        free(text);
        if (c != LDS_OK)
            snprintf(why, sizeof why, "events[%zu]: %s", i, err.msg);
        else if (lds_ledger_verify_inclusion(index, sth->tree_size, h, proof->hash[0], proof->n,
                                             sth->root, &err) != LDS_OK)
            snprintf(why, sizeof why, "event %zu (leaf %" PRIu64 "): %s", i, index, err.msg);
    }
    lds_free(proof);
    if (!why[0])
        return 0;
    fprintf(stderr, "lodestone verify: %s: %s\n", file, why);
    return LDS_EXIT_FAIL;
}

static int verify_passport(const opts *o, const uint8_t key[LDS_LEDGER_PUBKEY_LEN])
{
    size_t len;
    lds_err err;
    lds_err_clear(&err);
    char *text = read_file("--passport", o->passport, &len);
    if (!text)
        return LDS_EXIT_USAGE;
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    lds_free(text);
    if (!json_is_object(root)) {
        if (root)
            fprintf(stderr, "lodestone verify: %s: a passport is a JSON object\n", o->passport);
        else
            fprintf(stderr, "lodestone verify: %s:%d:%d: %s\n", o->passport, je.line, je.column,
                    je.text);
        json_decref(root);
        return LDS_EXIT_FAIL;
    }
    const json_t *s = json_object_get(root, "sth"), *events = json_object_get(root, "events");
    lds_ledger_sth sth;
    int rc = LDS_EXIT_FAIL;
    char *sth_text = json_is_object(s) ? json_dumps(s, JSON_COMPACT) : NULL;
    if (!sth_text)
        fprintf(stderr, "lodestone verify: %s: passport: sth must be a signed tree head object\n",
                o->passport);
    else if (!json_is_array(events))
        fprintf(stderr, "lodestone verify: %s: passport: events must be an array\n", o->passport);
    else if (lds_ledger_sth_from_json(sth_text, strlen(sth_text), &sth, &err) != LDS_OK ||
             lds_ledger_sth_verify(&sth, key, &err) != LDS_OK)
        rc = fail(o->passport, &err);
    else
        rc = 0;
    free(sth_text);
    size_t n = rc == 0 ? json_array_size(events) : 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = passport_event(o->passport, json_array_get(events, i), i, &sth);
    if (rc == 0 && !o->quiet) {
        const json_t *tier = json_object_get(root, "tier");
        printf("valid: passport signed tree head (%" PRIu64 " leaves) and all %zu event proofs%s%s%s\n",
               sth.tree_size, n, json_is_string(tier) ? " (" : "",
               json_is_string(tier) ? json_string_value(tier) : "",
               json_is_string(tier) ? " tier)" : "");
    }
    json_decref(root);
    return rc ? rc : LDS_EXIT_OK;
}

int lds_cmd_verify(int argc, char **argv, lds_config *cfg)
{
    (void)cfg;
    enum { O_STH = 1, O_STH2, O_KEY, O_LEAF, O_LEAF_HASH, O_PROOF, O_INDEX, O_CONS, O_PASS };
    static const struct option longopts[] = {
        {"sth", required_argument, NULL, O_STH},
        {"sth2", required_argument, NULL, O_STH2},
        {"key", required_argument, NULL, O_KEY},
        {"leaf", required_argument, NULL, O_LEAF},
        {"leaf-hash", required_argument, NULL, O_LEAF_HASH},
        {"proof", required_argument, NULL, O_PROOF},
        {"index", required_argument, NULL, O_INDEX},
        {"consistency", required_argument, NULL, O_CONS},
        {"passport", required_argument, NULL, O_PASS},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    opts o;
    memset(&o, 0, sizeof o);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
        switch (c) {
        case O_STH: o.sth = optarg; break;
        case O_STH2: o.sth2 = optarg; break;
        case O_KEY: o.key = optarg; break;
        case O_LEAF: o.leaf = optarg; break;
        case O_LEAF_HASH: o.leaf_hash = optarg; break;
        case O_PROOF: o.proof = optarg; break;
        case O_INDEX: o.index = optarg; break;
        case O_CONS: o.consistency = optarg; break;
        case O_PASS: o.passport = optarg; break;
        case 'q': o.quiet = 1; break;
        case 'h': fputs(usage, stdout); return LDS_EXIT_OK;
        case ':': return lds_cli_usage_error("verify", "%s needs a value", argv[optind - 1]);
        default: return lds_cli_usage_error("verify", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return lds_cli_usage_error("verify", "unexpected argument '%s'", argv[optind]);
    if (!o.key)
        return lds_cli_usage_error("verify", "--key is required");
    int modes = !!o.proof + !!o.consistency + !!o.passport;
    if (modes > 1)
        return lds_cli_usage_error("verify", "give one of --proof, --consistency, --passport");
    if (o.passport && (o.sth || o.sth2 || o.leaf || o.leaf_hash || o.index))
        return lds_cli_usage_error("verify", "--passport carries its own tree head and leaves");
    if (!o.passport && !o.sth)
        return lds_cli_usage_error("verify", "--sth is required");
    if (o.proof && !o.leaf == !o.leaf_hash)
        return lds_cli_usage_error("verify", "--proof needs exactly one of --leaf, --leaf-hash");
    if (!o.proof && (o.leaf || o.leaf_hash || o.index))
        return lds_cli_usage_error("verify", "--leaf, --leaf-hash and --index go with --proof");
    if (!!o.consistency != !!o.sth2)
        return lds_cli_usage_error("verify", "--consistency and --sth2 go together");

    uint8_t key[LDS_LEDGER_PUBKEY_LEN];
    lds_err err;
    lds_code rc = lds_ledger_pubkey_load(o.key, key, &err);
    if (rc == LDS_ENOTFOUND || rc == LDS_EIO) {
        fprintf(stderr, "lodestone verify: --key %s\n", err.msg);
        return LDS_EXIT_USAGE;
    }
    if (rc != LDS_OK)
        return fail(NULL, &err);
    if (o.passport)
        return verify_passport(&o, key);
    if (o.consistency)
        return verify_consistency(&o, key);
    if (o.proof)
        return verify_inclusion(&o, key);
    lds_ledger_sth sth;
    int x = load_sth("--sth", o.sth, key, &sth);
    if (x != 0)
        return x;
    if (!o.quiet) {
        printf("valid: signed tree head of %" PRIu64 " leaves (root ", sth.tree_size);
        print_b64(sth.root, LDS_LEDGER_HASH_LEN);
        printf(", timestamp %" PRIu64 ")\n", sth.timestamp_ms);
    }
    return LDS_EXIT_OK;
}
