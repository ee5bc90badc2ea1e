/*
 * keyfile.c — the ledger's Ed25519 key pair on disk: the one part of
 * src/ledger that does I/O.  The secret key file is created with mode 0600
 * (O_EXCL, never overwritten) and refused when group or others can read it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>
#include "ledger_int.h"

#define KEY_TAG "ed25519-secret-key "

lds_code lds_ledger_keypair_generate(lds_ledger_keypair *out, lds_err *err)
{
    if (sodium_init() < 0)
        return lds_err_set(err, LDS_EIO, "libsodium could not be initialised");
    crypto_sign_ed25519_keypair(out->public_key, out->secret_key);
    return LDS_OK;
}

/* Reads at most cap - 1 bytes of a small file into buf (NUL-terminated). */
static lds_code read_small(const char *path, char *buf, size_t cap, size_t *len, struct stat *st,
                           lds_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return lds_err_set(err, errno == ENOENT ? LDS_ENOTFOUND : LDS_EIO, "%s: %s", path,
                           strerror(errno));
    if (fstat(fd, st) != 0) {
        int e = errno;
        close(fd);
        return lds_err_set(err, LDS_EIO, "%s: %s", path, strerror(e));
    }
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            return lds_err_set(err, LDS_EIO, "%s: %s", path, strerror(e));
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n == cap - 1) {
            close(fd);
            return lds_err_set(err, LDS_EINVAL, "%s: file is too large for a key", path);
        }
    }
    close(fd);
    buf[n] = '\0';
    *len = n;
    return LDS_OK;
}

lds_code lds_ledger_keyfile_save(const char *path, const lds_ledger_keypair *kp, lds_err *err)
{
    char line[sizeof KEY_TAG + 96 + 2];
    size_t tag = strlen(KEY_TAG);
    memcpy(line, KEY_TAG, tag);
    sodium_bin2base64(line + tag, sizeof line - tag, kp->secret_key, LDS_LEDGER_SECKEY_LEN,
                      sodium_base64_VARIANT_ORIGINAL);
    size_t len = strlen(line);
    line[len++] = '\n';
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return lds_err_set(err, errno == EEXIST ? LDS_ECONFLICT : LDS_EIO, "%s: %s", path,
                           strerror(errno));
    size_t off = 0;
    lds_code rc = LDS_OK;
    while (off < len) {
        ssize_t w = write(fd, line + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            rc = lds_err_set(err, LDS_EIO, "%s: %s", path, strerror(errno));
            break;
        }
        off += (size_t)w;
    }
    if (rc == LDS_OK && fsync(fd) != 0)
        rc = lds_err_set(err, LDS_EIO, "%s: %s", path, strerror(errno));
    if (close(fd) != 0 && rc == LDS_OK)
        rc = lds_err_set(err, LDS_EIO, "%s: %s", path, strerror(errno));
    sodium_memzero(line, sizeof line);
    if (rc != LDS_OK)
        unlink(path);
    return rc;
}

lds_code lds_ledger_keyfile_load(const char *path, lds_ledger_keypair *out, lds_err *err)
{
    char buf[256];
    size_t len;
    struct stat st;
    lds_ledger_keypair kp;
    lds_code rc = read_small(path, buf, sizeof buf, &len, &st, err);
    if (rc != LDS_OK)
        return rc;
    if (st.st_mode & 077) {
        sodium_memzero(buf, sizeof buf);
        return lds_err_set(err, LDS_EFORBIDDEN,
                           "%s: key file is accessible by group or others (mode %03o); run chmod "
                           "600 on it",
                           path, (unsigned)(st.st_mode & 0777));
    }
    size_t tag = strlen(KEY_TAG);
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || buf[len - 1] == ' '))
        len--;
    size_t n = 0;
    if (len < tag || memcmp(buf, KEY_TAG, tag) != 0 ||
        lds_ledger__base64_decode(buf + tag, len - tag, kp.secret_key, sizeof kp.secret_key, &n) !=
            0 ||
        n != LDS_LEDGER_SECKEY_LEN) {
        sodium_memzero(buf, sizeof buf);
        return lds_err_set(err, LDS_ECORRUPT, "%s: not a ledger key file", path);
    }
    sodium_memzero(buf, sizeof buf);
    /* libsodium's secret key is seed || public key: check the halves agree. */
    uint8_t pk[LDS_LEDGER_PUBKEY_LEN], sk[LDS_LEDGER_SECKEY_LEN];
    crypto_sign_ed25519_seed_keypair(pk, sk, kp.secret_key);
    sodium_memzero(sk, sizeof sk);
    if (memcmp(pk, kp.secret_key + 32, sizeof pk) != 0) {
        sodium_memzero(&kp, sizeof kp);
        return lds_err_set(err, LDS_ECORRUPT, "%s: key file is damaged (halves disagree)", path);
    }
    memcpy(kp.public_key, pk, sizeof pk);
    *out = kp;
    sodium_memzero(&kp, sizeof kp);
    return LDS_OK;
}

lds_code lds_ledger_keyfile_load_or_create(const char *path, lds_ledger_keypair *out, lds_err *err)
{
    lds_code rc = lds_ledger_keyfile_load(path, out, err);
    if (rc != LDS_ENOTFOUND)
        return rc;
    lds_ledger_keypair kp;
    if ((rc = lds_ledger_keypair_generate(&kp, err)) != LDS_OK)
        return rc;
    rc = lds_ledger_keyfile_save(path, &kp, err);
    if (rc == LDS_ECONFLICT) /* another process created it first: use theirs */
        return lds_ledger_keyfile_load(path, out, err);
    if (rc == LDS_OK)
        *out = kp;
    sodium_memzero(&kp, sizeof kp);
    return rc;
}

lds_code lds_ledger_pubkey_load(const char *path, uint8_t out[LDS_LEDGER_PUBKEY_LEN], lds_err *err)
{
    char buf[256];
    size_t len;
    struct stat st;
    lds_code rc = read_small(path, buf, sizeof buf, &len, &st, err);
    if (rc != LDS_OK)
        return rc;
    lds_err inner;
    if (lds_ledger_pubkey_from_base64(buf, len, out, &inner) != LDS_OK)
        return lds_err_set(err, LDS_EINVAL, "%s: %s", path, inner.msg);
    return LDS_OK;
}
