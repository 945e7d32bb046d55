/* pack_digest's two builds of XXH3-128 (src/policy/pack.c,
 * src/policy/digest_avx2.c), declared for the unit test that checks they
 * agree. */
#ifndef SECSHIM_POLICY_DIGEST_H
#define SECSHIM_POLICY_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The default build: SSE2 on x86-64, whatever xxhash.h picks elsewhere. */
void pack_digest_generic (const void *data, size_t len, uint8_t out[16]);
/* Compiled for AVX2 (GCC): call it only when the CPU has AVX2
 * (pack_digest_avx2_usable). */
void pack_digest_avx2 (const void *data, size_t len, uint8_t out[16]);
bool pack_digest_avx2_usable (void);

#endif
