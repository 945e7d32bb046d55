/* XXH3-128 compiled for AVX2, for pack_digest (src/policy/pack.c), which
 * calls it only when the CPU has AVX2: the hashing of a warm policy load
 * (~27 KB: the policy, its data files, the entry) costs 9.5 k instructions
 * instead of 27.5 k with SSE2.  XXH3's result does not depend on the
 * vector width, so entries written by either build are the same.  The
 * pragma rather than a -mavx2 in the Makefile keeps every other flag of the
 * build (hardening, sanitizers) as it is; a compiler without it (clang)
 * builds the default vector code here, which is slower but as correct. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#pragma GCC target("avx2")
#endif
#include <stdbool.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "digest.h"

void
pack_digest_avx2 (const void *data, size_t len, uint8_t out[16])
{
  XXH128_canonical_t c;
  XXH128_canonicalFromHash (&c, XXH3_128bits (data, len));
  memcpy (out, c.digest, 16);
}
