/*
 * sha256.h — SHA-256 (FIPS 180-4) on the CPU's SHA extensions where it has
 * them (chosen once from CPUID), libsodium's portable code elsewhere.  The
 * digest is the same either way.  Used by the EPCIS hash ID and the ledger's
 * RFC 9162 leaf and node hashes.
 */
#ifndef LODESTONE_SHA256_H
#define LODESTONE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define LDS_SHA256_LEN 32

/** SHA-256 of `len` bytes at `data` (NULL allowed when `len` is 0). */
void lds_sha256(const void *data, size_t len, uint8_t out[LDS_SHA256_LEN]);

/** SHA-256 of the one byte `prefix` followed by `len` bytes at `data`
 *  (RFC 9162 domain separation: 0x00 for leaves, 0x01 for nodes), without
 *  copying `data`. */
void lds_sha256_prefixed(uint8_t prefix, const void *data, size_t len,
                         uint8_t out[LDS_SHA256_LEN]);

/** 1 when lds_sha256 runs on the CPU's SHA extensions, 0 on libsodium. */
int lds_sha256_ni(void);

#endif
