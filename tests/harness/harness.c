/* harness.c — temporary directories and file helpers for tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"

static char tmpdir[256];

static void remove_tmpdir(void)
{
    if (!tmpdir[0] || getenv("LDS_KEEP_TMP"))
        return;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
}

const char *lds_test_tmpdir(void)
{
    if (!tmpdir[0]) {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/lodestone-test-XXXXXX");
        if (!mkdtemp(tmpdir)) {
            perror("mkdtemp");
            exit(1);
        }
        atexit(remove_tmpdir);
    }
    return tmpdir;
}

char *lds_test_path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", lds_test_tmpdir(), name);
    return buf;
}

char *lds_test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0) {
        fclose(f);
        return NULL;
    }
    long n = ftell(f);
    rewind(f);
    char *p = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!p || fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        fclose(f);
        return NULL;
    }
    p[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return p;
}

const char *lds_test_source_root(void)
{
    const char *r = getenv("LDS_SOURCE_ROOT");
    return r && *r ? r : ".";
}

const char *lds_test_bin(void)
{
    const char *b = getenv("LDS_BIN");
    return b && *b ? b : "build/san/lodestone";
}
