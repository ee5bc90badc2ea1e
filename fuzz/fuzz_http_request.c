/*
 * fuzz_http_request.c — the HTTP/1.x request-head parser and the
 * percent-decoder the server runs on every request target.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "api/http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char scratch[4097];
    lds_http_head head;
    const char *why = NULL;
    int rc = lds_http_parse_head((const char *)data, size, 4096, scratch, &head, &why);
    if (rc == 1) {
        char out[1024];
        (void)lds_http_decode(head.target, strlen(head.target), out, sizeof out, 1);
        for (int i = 0; i < head.n_headers; i++)
            (void)strlen(head.headers[i].name);
        (void)lds_http_header_get(&head, "Content-Length");
    }
    char out[64];
    (void)lds_http_decode((const char *)data, size, out, sizeof out, 1);
    return 0;
}
